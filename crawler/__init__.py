"""coprod crawler: the Scrapy project, its spiders, middlewares, pipelines and the CLI."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/coprod/coprod"
