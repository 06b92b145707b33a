from arrears.cli.app import run

run()
