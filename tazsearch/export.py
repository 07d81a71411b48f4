"""Articles out of the index, streaming: JSON lines, or OpenSearch's ``_bulk`` NDJSON.

``opensearch`` writes what the ``_bulk`` API of OpenSearch and Elasticsearch
takes: an action line (``index``, with the article's id as ``_id``) and the
document, for each article. :func:`index_body` is the body that creates an
index for those documents: their fields and types, and a German analyzer
as close to tazsearch's as those engines' filters allow (the README's
"Moving to a cluster" maps each filter to the step of ours it stands for).
"""

from __future__ import annotations

from typing import Any

from .article import Article
from .compounds import MIN_HEAD, MIN_MODIFIER, MIN_WORD, part_words
from .fields import FIELD_WEIGHTS
from .german import STOP_WORDS
from .safetext import json_text

FORMATS = ("jsonl", "opensearch")
ANALYZER = "tazsearch_german"


def jsonl_record(article: Article) -> str:
    """One line of JSON with every field of the article."""
    return json_text(article.to_dict()) + "\n"


def bulk_record(article: Article, index: str) -> str:
    """The article's two lines of ``_bulk`` NDJSON: the action, then the document."""
    action = {"index": {"_index": index, "_id": article.id}}
    return json_text(action) + "\n" + json_text(bulk_document(article)) + "\n"


def bulk_document(article: Article) -> dict[str, Any]:
    """An article as a document of the index :func:`index_body` creates."""
    return {
        "id": article.id,
        "path": article.path,
        "uri": article.uri,
        "title": article.title,
        "kicker": article.kicker,
        "headline": article.headline,
        "teaser": article.teaser,
        "body": article.body,
        "captions": list(article.captions),
        "tags": list(article.tags),
        "authors": list(article.authors),
        "date": article.date.isoformat() if article.date else None,
        "links": [{"number": link.number, "target": link.target} for link in article.links],
        "related": [{"title": r.title, "teaser": r.teaser} for r in article.related],
    }


def index_body() -> dict[str, Any]:
    """Settings and mappings for an OpenSearch or Elasticsearch index of the
    documents of :func:`bulk_lines`, with the German analyzer."""
    text = {"type": "text", "analyzer": ANALYZER}
    keyword_and_text = {"type": "keyword", "fields": {"text": text}}
    return {
        "settings": {"analysis": _analysis()},
        "mappings": {
            "dynamic": "strict",
            "_meta": {
                "written_by": "tazsearch export --mapping",
                # Our field weights, to give a multi_match query as boosts.
                "field_weights": FIELD_WEIGHTS,
            },
            "properties": {
                "id": {"type": "keyword"},
                "path": {"type": "keyword", "index": False},
                "uri": {"type": "keyword", "index": False},
                "title": text,
                "kicker": text,
                "headline": text,
                "teaser": text,
                "body": text,
                "captions": text,
                "tags": keyword_and_text,
                "authors": keyword_and_text,
                "date": {"type": "date", "format": "yyyy-MM-dd"},
                "links": {"type": "object", "enabled": False},
                "related": {"type": "object", "enabled": False},
            },
        },
    }


def _analysis() -> dict[str, Any]:
    """The German analyzer, a filter for each step of tazsearch's analysis."""
    return {
        "filter": {
            # "Ukraine-Krieg": its pieces, and the whole word without the hyphen;
            # "1.500" as "1500".
            "tazsearch_hyphens": {
                "type": "word_delimiter_graph",
                "generate_word_parts": True,
                "catenate_words": True,
                "generate_number_parts": False,
                "catenate_numbers": True,
                "split_on_case_change": False,
                "split_on_numerics": False,
                "stem_english_possessive": False,
            },
            "tazsearch_stop": {"type": "stop", "stopwords": sorted(STOP_WORDS)},
            # Closed compounds: the parts tazsearch's splitter may find.
            "tazsearch_compounds": {
                "type": "dictionary_decompounder",
                "word_list": part_words(),
                "min_word_size": MIN_WORD,
                "min_subword_size": min(MIN_MODIFIER, MIN_HEAD),
                "max_subword_size": 40,
                "only_longest_match": True,
            },
            "tazsearch_stemmer": {"type": "snowball", "language": "German"},
        },
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "tokenizer": "whitespace",
                "filter": [
                    "tazsearch_hyphens",
                    "lowercase",
                    "tazsearch_stop",
                    "tazsearch_compounds",
                    "tazsearch_stemmer",
                    "asciifolding",
                ],
            }
        },
    }
