package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/shmkit/shmkit/queue"
)

func main() {
	name := flag.String("name", "jobs", "the queue's name")
	flag.Parse()
	q, err := queue.Create(*name, queue.Config{Slots: 64, MaxMessage: 256}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	p, err := q.Producer()
	if err != nil {
		log.Fatal(err)
	}
	for i := range 10 {
		if err := p.Write(fmt.Appendf(nil, "job %d", i)); err != nil {
			log.Fatal(err)
		}
	}
	p.Close() // python's consumer.py removes the queue once it has taken them
	fmt.Println("go put 10 jobs on", *name)
}
