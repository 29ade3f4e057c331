// Command consumer reads the ring that examples/python-go/producer.py
// writes, message by message until its Python producer closes, then
// removes it:
//
//	PYTHONPATH=python python3 examples/python-go/producer.py
//	go run ./examples/python-go/consumer
package main
