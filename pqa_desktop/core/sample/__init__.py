"""The demo council ("Anytown Council"), deterministic: its name, teams and people (council), its auditor
returns, settings and commentary and every demo input written to a folder (demo), its system exports
(exports).

Kept empty of imports, so importing one module of the package loads no other."""
