package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func main() {
	name := flag.String("name", "ticks", "the ring's name")
	flag.Parse()
	r, err := ringbuf.Open(*name, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer shm.Remove(*name)
	defer r.Close()
	c, err := r.Consumer()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for msg := range c.Messages(context.Background()) {
		fmt.Printf("go got %s\n", msg)
	}
	if err := c.Err(); err != nil { // ErrPeerDead if python was killed mid-stream
		log.Fatal(err)
	}
}
