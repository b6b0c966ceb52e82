"""The project's own Elasticsearch node is real: indexes, documents and queries work."""

from search import node


def test_node_is_healthy(elasticsearch_url):
    assert node.cluster_health(elasticsearch_url) in ("green", "yellow")


def test_index_write_and_search_with_folded_text_and_geo(es, index_prefix):
    index = f"{index_prefix}-smoke"
    es.indices.create(index=index, mappings={"properties": {
        "name": {"type": "text"},
        "location": {"type": "geo_point"},
    }})
    es.index(index=index, id="1", document={"name": "Usinage Cléon", "location": {"lat": 49.3124, "lon": 1.0295}})
    es.index(index=index, id="2", document={"name": "Forge Lyon", "location": {"lat": 45.764, "lon": 4.8357}})
    es.indices.refresh(index=index)

    by_text = es.search(index=index, query={"match": {"name": "usinage"}})
    assert [hit["_id"] for hit in by_text["hits"]["hits"]] == ["1"]

    # Rouen to Cléon is about 15 km, Rouen to Lyon about 470 km.
    near_rouen = es.search(index=index, query={"geo_distance": {
        "distance": "50km", "location": {"lat": 49.4431, "lon": 1.0993}}})
    assert [hit["_id"] for hit in near_rouen["hits"]["hits"]] == ["1"]
    es.indices.delete(index=index)
