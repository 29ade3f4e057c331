// Command producer puts ten jobs on a queue that
// examples/python-go/consumer.py takes, then closes its side, which ends
// the queue for Python once the jobs are taken:
//
//	go run ./examples/python-go/producer
//	PYTHONPATH=python python3 examples/python-go/consumer.py
package main
