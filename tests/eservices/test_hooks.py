"""The seams other modules hook into (etam.eservices.hooks): one callback list per hook."""

from etam.eservices import hooks


def test_a_callback_registered_twice_runs_once_in_registration_order():
    callbacks: hooks._Callbacks = hooks._Callbacks()

    def first(application):
        return ["satu"]

    def second(application):
        return ["dua"]

    callbacks.register(first)
    callbacks.register(second)
    callbacks.register(first)
    assert list(callbacks) == [first, second]


def test_finished_lines_and_links_join_what_each_callback_returns(monkeypatch):
    monkeypatch.setattr(hooks, "_CASE_FINISHED", hooks._Callbacks())
    monkeypatch.setattr(hooks, "_CASE_LINKS", hooks._Callbacks())
    hooks._CASE_FINISHED.register(lambda application: ["Isi survei kepuasan."])
    hooks._CASE_FINISHED.register(lambda application: None)  # nothing to add
    hooks._CASE_FINISHED.register(lambda application: [f"Nomor {application}."])
    assert hooks.case_finished("A-1") == ["Isi survei kepuasan.", "Nomor A-1."]
    link = hooks.CaseLink(label="Survei", url="/survei/")
    hooks._CASE_LINKS.register(lambda application: [link])
    assert hooks.case_links("A-1") == [link]
