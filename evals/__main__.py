import argparse
import sys

from gotcha_kb.evals.cli import add_arguments, run

parser = argparse.ArgumentParser(prog="python -m gotcha_kb.evals", description="Measure the diagnosis engine on labeled cases.")
parser.add_argument("--json", action="store_true")
parser.add_argument("--catalog", action="append")
add_arguments(parser)
sys.exit(run(parser.parse_args()))
