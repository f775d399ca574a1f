"""After the workbook: where it and its email draft may be saved (output_paths, checked before any work), the
email draft with the workbook attached (email_draft), each auditor's open findings sent back (send_back).

Kept empty of imports, so importing one module of the package loads no other."""
