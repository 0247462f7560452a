from tagihlite.journal.postgres import PostgresJournal

def test_smoke(team_url):
    j = PostgresJournal(team_url)
    j.acquire_run_lock()
    assert j.begin("1|2026-11|1", channel="memory", operator="Budi", message="m", phone="p", amount=5)
    assert not j.begin("1|2026-11|1", channel="memory", operator="Budi", message="m", phone="p", amount=5)
    assert j.holder("1|2026-11|1")
    j.finish("1|2026-11|1", "submitted", note="ok")
    print(j.entries(["1|2026-11|1"]), j.customers(), j.count_today())
    j.close()
