"""coprod crawler: the Scrapy project, its spiders, middlewares, pipelines and the CLI."""
