"""The CPU floor of one Python gRPC unary call on this machine: what any RPC of the platform costs before its handler
does anything.

A server in a child process answers grpc.health.v1 Check with a constant (no interceptor, no database); an asyncio
client (as bench/intake.py's) calls it at a steady rate. Prints, per call, the CPU the server process and the client
used, for the server shapes gRPC offers: the sync server with a thread pool (the platform's), the asyncio server
with an async handler, and the asyncio server running sync handlers in a thread pool.

Usage: python bench/grpc_floor.py [--rate 300] [--calls 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from concurrent import futures

import grpc
from benchlib import cpu_seconds
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.core.devcluster import free_port

SERVING = health_pb2.HealthCheckResponse.SERVING


class SyncHealth(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):  # noqa: N802, ANN001, ANN201
        return health_pb2.HealthCheckResponse(status=SERVING)


class AsyncHealth(health_pb2_grpc.HealthServicer):
    async def Check(self, request, context):  # noqa: N802, ANN001, ANN201
        return health_pb2.HealthCheckResponse(status=SERVING)


def serve(shape: str, port: int) -> None:
    if shape == "sync, 16 threads":
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        health_pb2_grpc.add_HealthServicer_to_server(SyncHealth(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        server.wait_for_termination()
        return

    async def run() -> None:
        if shape == "asyncio":
            server = grpc.aio.server()
            health_pb2_grpc.add_HealthServicer_to_server(AsyncHealth(), server)
        else:  # sync handlers on the asyncio server, in its migration thread pool
            server = grpc.aio.server(migration_thread_pool=futures.ThreadPoolExecutor(max_workers=16))
            health_pb2_grpc.add_HealthServicer_to_server(SyncHealth(), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()

    asyncio.run(run())


async def call_at_rate(port: int, rate: float, calls: int) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        await channel.channel_ready()
        stub = health_pb2_grpc.HealthStub(channel)
        start, pending = time.perf_counter(), []
        for index in range(calls):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.ensure_future(stub.Check(health_pb2.HealthCheckRequest())))
        await asyncio.gather(*pending)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    print(f"Empty unary call at {args.rate:.0f} calls/s, CPU per call:")
    for shape in ("sync, 16 threads", "asyncio", "asyncio, sync handlers"):
        port = free_port()
        server = multiprocessing.Process(target=serve, args=(shape, port), daemon=True)
        server.start()
        try:
            asyncio.run(call_at_rate(port, args.rate, 300))  # warm-up: connection, first calls
            server_before, client_before = cpu_seconds(server.pid), time.process_time()
            asyncio.run(call_at_rate(port, args.rate, args.calls))
            server_ms = (cpu_seconds(server.pid) - server_before) * 1000 / args.calls
            client_ms = (time.process_time() - client_before) * 1000 / args.calls
            print(f"  server {shape:24s} {server_ms:.3f} ms   client (asyncio) {client_ms:.3f} ms")
        finally:
            server.terminate()
            server.join()


if __name__ == "__main__":
    main()
