import textwrap

import pytest

from pdbench.selection import registry
from pdbench.selection.registry import BrokenStrategyError, UnknownStrategyError, discover, get_strategy

PAPER_STRATEGIES = {"sft", "overall", "oracle", "all", "dmpo", "rand", "high", "mid", "ours", "a1", "a2", "pd_ratings"}


def test_the_twelve_paper_strategies_are_registered():
    assert PAPER_STRATEGIES <= set(discover())


def test_unknown_name_suggests_and_lists():
    with pytest.raises(UnknownStrategyError) as info:
        get_strategy("our")
    message = str(info.value)
    assert "Did you mean 'ours'" in message and "Known strategies:" in message and "pd_ratings" in message


def write_strategy(folder, name, body="return Plan(rows=tuple(range(budget_size(budget, len(pairs)))))"):
    (folder / f"{name}.py").write_text(textwrap.dedent(f'''
        from pdbench.selection.plan import Plan, budget_size
        from pdbench.selection.registry import register

        @register("selection")
        class First:
            """Keep the first pairs."""

            def plan(self, pairs, budget, context):
                {body}
    '''))


def test_user_folder_is_discovered(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    write_strategy(tmp_path, "first_pairs")
    info = get_strategy("first_pairs", [tmp_path])
    assert info.kind == "selection" and info.description == "Keep the first pairs."


def test_env_var_folder_is_discovered(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    write_strategy(tmp_path, "from_env")
    monkeypatch.setenv(registry.ENV_STRATEGY_PATH, str(tmp_path))
    assert "from_env" in discover()


def test_duplicate_name_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_BROKEN", {})
    write_strategy(tmp_path, "ours")
    with pytest.raises(BrokenStrategyError, match="registered twice"):
        get_strategy("ours", [tmp_path])


def test_a_broken_user_file_is_named_and_the_rest_stay_usable(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pdbench.cli import main

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_BROKEN", {})
    (tmp_path / "broken.py").write_text("def plan(:\n")
    (tmp_path / "missing_dep.py").write_text("import no_such_module_anywhere\n")
    write_strategy(tmp_path, "fine")
    assert get_strategy("rand", [tmp_path]).name == "rand" and get_strategy("fine", [tmp_path]).name == "fine"
    with pytest.raises(BrokenStrategyError, match=r"broken.py failed to import: SyntaxError: .* \(line 1\)"):
        get_strategy("broken", [tmp_path])
    with pytest.raises(BrokenStrategyError, match="ModuleNotFoundError: No module named 'no_such_module_anywhere'"):
        get_strategy("missing_dep", [tmp_path])
    listed = CliRunner().invoke(main, ["strategies", "list", "--strategy-path", str(tmp_path)])
    assert listed.exit_code == 0 and "BROKEN" in listed.output and "rand" in listed.output
