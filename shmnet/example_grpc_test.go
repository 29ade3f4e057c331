//go:build linux

package shmnet_test

import (
	"context"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/shmkit/shmkit/shmnet"
)

// gRPC over shared memory, unmodified: the server serves on a Listener,
// the client dials with WithContextDialer. (Here both are in one
// process; normally they are two.)
func Example_grpc() {
	name := fmt.Sprintf("example-grpc-%d", os.Getpid())
	l, err := shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := grpc.NewServer()
	healthgrpc.RegisterHealthServer(s, health.NewServer())
	go s.Serve(l)
	defer s.Stop()

	cc, err := grpc.NewClient("passthrough:///"+name,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return shmnet.Dial(ctx, name)
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cc.Close()
	resp, err := healthgrpc.NewHealthClient(cc).Check(context.Background(), &healthgrpc.HealthCheckRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.GetStatus())
	// Output: SERVING
}
