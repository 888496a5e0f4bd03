"""Search synonyms: what people type (社保) and what the catalogue calls it (社会保险), kept in the admin."""

from django.db import models

from ..search import parse_expansions

__all__ = ["SearchSynonym"]


class SearchSynonym(models.Model):
    """One everyday word and the catalogue's words for it; applied to /search/ at query time."""

    term = models.CharField(
        "群众常用说法", max_length=30, unique=True, help_text="群众搜索时会输入的词，如：社保、老年人。"
    )
    expansions = models.TextField(
        "同义词（清单中的说法）",
        help_text="每行一个，或用“/”“、”分隔，如：社会保险/社会保障。搜索该词时，也查找含这些词的事项。",
    )

    class Meta:
        verbose_name = "搜索同义词"
        verbose_name_plural = "搜索同义词"
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} → {'、'.join(self.expansion_list())}"

    def save(self, *args, **kwargs):
        self.term = self.term.strip()
        super().save(*args, **kwargs)

    def expansion_list(self):
        return [word for word in parse_expansions(self.expansions) if word != self.term]

    @classmethod
    def mapping(cls):
        """{term: [expansions]} for daiban.search.build_query (one small query)."""
        return {
            term.strip().lower(): [word for word in parse_expansions(text) if word != term.strip().lower()]
            for term, text in cls.objects.values_list("term", "expansions")
        }
