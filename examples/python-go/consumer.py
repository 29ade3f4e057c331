"""Go produces, Python consumes: run `go run ./examples/python-go/producer`, then this.

    PYTHONPATH=python python3 examples/python-go/consumer.py [NAME]
"""

import sys

import shmkit

name = sys.argv[1] if len(sys.argv) > 1 else "jobs"
jobs = shmkit.Queue(name)
for job in jobs:  # ends once Go's producer has closed and every job is taken
    print("python got", job.decode())
jobs.close()
jobs.unlink()
