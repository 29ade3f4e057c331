"""Python produces, Go consumes: run this, then `go run ./examples/python-go/consumer`.

    PYTHONPATH=python python3 examples/python-go/producer.py [NAME]
"""

import sys

import shmkit

name = sys.argv[1] if len(sys.argv) > 1 else "ticks"
ring = shmkit.Ring(name, create=True, capacity=1 << 20)
p = ring.producer()
for i in range(10):
    p.write(b"tick %d" % i)
p.close()  # Go's consumer reads the ten, then the end
print("python wrote 10 ticks to", name)
