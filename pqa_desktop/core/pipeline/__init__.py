"""A build, inputs to workbook: the one pipeline the command line and the app call (run), the inputs
read in this process or across worker processes (reading), inputs ending before the period (period_coverage),
what will be blank and why, before building (readiness).

Kept empty of imports: spawned workers import pipeline.reading by name, and it must not load the rest of the
pipeline."""
