"""Self-check: measure the hello-world ceiling twice and print the table."""

import argparse

from harness import ceiling, print_table


def main() -> None:
    """Run the hello-world ceiling twice and print both against the first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    first = ceiling(args.duration, args.connections)
    again = ceiling(args.duration, args.connections)
    print_table([("hello", first), ("hello again", again)], first)


if __name__ == "__main__":
    main()
