from upgrader.cli.main import run

run()
