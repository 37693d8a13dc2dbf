"""Stage lines: cached or computed, elapsed, and an estimate of what remains from this machine's timings."""

import json

from pdbench.pipeline.progress import Progress, duration


def run_stages(progress, cached=()):
    for name in progress.stages:
        with progress.stage(name) as stage:
            stage.cached = name in cached


def test_first_run_prints_each_stage_and_records_its_rate(tmp_path):
    lines, finished = [], []
    timings = tmp_path / "timings.json"
    progress = Progress(["pairs", "training"], timings, "smoke", lines.append, finished.append, work={"training": 4})
    run_stages(progress, cached={"pairs"})
    assert lines[0] == "[1/2] pairs ..."
    assert "[1/2] pairs: reused from cache in" in lines[1] and "training (not yet timed" not in lines[1]
    assert lines[1].endswith("time left unknown: training not yet timed on this machine)")
    assert lines[3].startswith("[2/2] training: computed in")
    assert [s.name for s in finished] == ["pairs", "training"] and not finished[1].cached
    rates = json.loads(timings.read_text())["smoke"]
    assert set(rates) == {"training"} and rates["training"]["work"] == 4  # reused stages say nothing of this machine


def test_estimate_scales_with_work_and_the_baseline_uses_the_training_rate(tmp_path):
    timings = tmp_path / "timings.json"
    timings.write_text(json.dumps({"tiny": {"training": {"per_unit": 2.0, "work": 300},
                                            "evaluation": {"per_unit": 1.5, "work": 20}}}))
    lines = []
    progress = Progress(["pairs", "training", "baseline", "evaluation", "alpaca_eval"], timings, "tiny", lines.append,
                        work={"baseline": 0, "evaluation": 40})
    with progress.stage("pairs") as stage:
        stage.cached = True
    # training not known yet: as much as last time (300 pairs x 2 s); baseline cached; evaluation 40 x 1.5 s
    assert lines[-1].endswith("about 11 min 00 s left + alpaca_eval (not yet timed on this machine))")
    progress.work["training"] = 10
    with progress.stage("training"):
        pass
    assert "about 1 min 00 s left + alpaca_eval" in lines[-1]


def test_no_timings_file_means_no_estimate_and_nothing_written(tmp_path):
    lines = []
    run_stages(Progress(["a", "b"], None, "tiny", lines.append))
    assert lines[1].endswith("time left unknown: b not yet timed on this machine)") and not list(tmp_path.iterdir())


def test_duration():
    assert duration(3.21) == "3.2 s"
    assert duration(245) == "4 min 05 s"
    assert duration(3720) == "1 h 02 min"


def test_a_stage_says_why_it_was_computed():
    lines = []
    progress = Progress(["pairs"], None, "smoke", lines.append)
    with progress.stage("pairs") as stage:
        stage.note = "the content of mine.jsonl changed since its pairs were last built"
    assert lines[1].startswith("[1/1] pairs: computed (the content of mine.jsonl changed since its pairs were last "
                               "built) in ")
