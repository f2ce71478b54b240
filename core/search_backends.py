"""Wagtail's Elasticsearch 9 backend, configured for the minimal Elasticsearch distribution.

modelsearch's default index settings define analyzers built from ngram, edge_ngram and
asciifolding filters. Those come from Elasticsearch's analysis-common module, which the
minimal distribution (the one published to Maven Central, used in CI) does not ship, and an
index that names them cannot be created there. The two analyzers keep their names — the
mappings refer to them — but are the built-in standard analyzer. Nothing is lost for Chinese:
core.search makes its own tokens for that.
"""

from modelsearch.backends.elasticsearch9 import Elasticsearch9SearchBackend


class SearchBackend(Elasticsearch9SearchBackend):
    settings = {
        "settings": {
            "analysis": {
                "analyzer": {
                    "ngram_analyzer": {"type": "standard"},
                    "edgengram_analyzer": {"type": "standard"},
                }
            }
        }
    }
