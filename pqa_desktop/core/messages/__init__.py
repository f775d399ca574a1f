"""Key messages: the plain-English sentences drafted from the figures, per report section (key_messages:
the drafting, the Summary's choice and the audit sections; kpi_messages: the KPI, workforce and fostering
sections; sentences: what both share, numbers written as the workbook shows them).

Kept empty of imports: importing the package loads none of its modules (key_messages loads the other two)."""
