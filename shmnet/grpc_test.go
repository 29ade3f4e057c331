//go:build linux

package shmnet_test

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

// gRPC, unmodified, between two processes over shmnet, checked with
// gRPC's own interop cases (each fails its process on a mismatch).

func init() {
	testutil.Child("grpc-server", childGRPCServer)
	testutil.Child("grpc-client", childGRPCClient)
}

func childGRPCServer(args []string) error {
	l, err := shmnet.Listen(args[0], shmnet.Config{})
	if err != nil {
		return err
	}
	s := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(s, interop.NewTestServer())
	testutil.Send("ready")
	return s.Serve(l)
}

// dialer is how a gRPC client reaches a shmnet listener.
func dialer(name string) grpc.DialOption {
	return grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return shmnet.Dial(ctx, name)
	})
}

var interopCases = []struct {
	name string
	run  func(context.Context, testgrpc.TestServiceClient, ...grpc.CallOption)
}{
	{"empty_unary", interop.DoEmptyUnaryCall},
	{"large_unary", interop.DoLargeUnaryCall},
	{"client_streaming", interop.DoClientStreaming},
	{"server_streaming", interop.DoServerStreaming},
	{"ping_pong", interop.DoPingPong},
	{"cancel_after_begin", interop.DoCancelAfterBegin},
	{"cancel_after_first_response", interop.DoCancelAfterFirstResponse},
	{"timeout_on_sleeping_server", interop.DoTimeoutOnSleepingServer},
	{"empty_stream", interop.DoEmptyStream},
}

func childGRPCClient(args []string) error {
	cc, err := grpc.NewClient("passthrough:///"+args[0], grpc.WithTransportCredentials(insecure.NewCredentials()), dialer(args[0]))
	if err != nil {
		return err
	}
	defer cc.Close()
	tc := testgrpc.NewTestServiceClient(cc)
	for _, c := range interopCases {
		c.run(context.Background(), tc)
		testutil.Send("passed %s", c.name)
	}
	return nil
}

func TestGRPCInterop(t *testing.T) {
	name := testutil.Name(t)
	server := testutil.Start(t, "grpc-server", name)
	server.Expect("ready")
	client := testutil.Start(t, "grpc-client", name)
	for _, c := range interopCases {
		client.Expect("passed " + c.name)
	}
	client.Wait()
	server.Kill()
}
