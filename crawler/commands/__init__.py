"""One module per `coprod` subcommand: HELP, configure(parser), run(args) -> exit code."""
