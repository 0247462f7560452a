from tagihlite.cli import run

run()
