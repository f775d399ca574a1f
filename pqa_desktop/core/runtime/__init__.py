"""What depends on the machine the core runs on: how worker processes start and when a pool pays
(processes), memory handed back between stages (memory), the user's app-data folder (userdata).

Kept empty of imports: a spawned worker imports its modules by name, and nothing here should load more."""
