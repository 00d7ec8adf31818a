from upgrader.cli.entry import run

run()
