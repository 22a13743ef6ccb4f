import os

# Tests run in "test" mode whatever the shell says (fast hasher, no demo logins).
os.environ["ETAM_MODE"] = "test"
