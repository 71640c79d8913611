from apiward.core import Field, Source, new_field


def test_new_field_builds_the_same_field() -> None:
    built = new_field((Source.QUERY, "q", "1"))
    assert type(built) is Field
    assert built == Field(Source.QUERY, "q", "1")
    assert built.location == "query.q"
