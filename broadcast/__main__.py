from broadcast.cli import run

run()
