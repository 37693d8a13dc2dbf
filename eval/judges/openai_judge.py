"""A pairwise judge behind any OpenAI-compatible endpoint, with the paper's Figure B.2 prompt.

Works with OpenAI, Qwen through an OpenAI-compatible API, a local vLLM or ``transformers serve``.
The API key is read from an environment variable and never stored, logged or put in the cache key.
Rate limits, 5xx answers and timeouts are retried with exponential backoff by the OpenAI client;
a request that still fails raises JudgeUnavailableError naming the endpoint. ``check`` asks the
endpoint once, cheaply, so a run finds out before it trains that the judge cannot be reached.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import openai

from pdbench.eval.config import JudgeConfig
from pdbench.eval.verdicts import JudgeReply, parse_score_line

PROMPT_DIR = Path(__file__).resolve().parent.parent / "prompts"
SYSTEM_PROMPT = "You are a helpful and precise assistant for checking the quality of the answer."


class JudgeConfigError(ValueError):
    """The judge cannot be used as configured (e.g. no API key)."""


class JudgeUnavailableError(JudgeConfigError):
    """The judge's endpoint cannot be reached, or keeps failing, or rejects the key."""


OPENAI_BASE_URL = "https://api.openai.com/v1"
"""Where a judge without ``base_url`` is asked."""
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")
"""Judge endpoints on this machine: they need no API key."""
CHECK_TIMEOUT_S = 10.0
"""How long the start-of-run endpoint check waits: a models list answers in well under a second."""


def is_local(base_url: str | None) -> bool:
    """Whether the endpoint runs on this machine (then no API key is needed)."""
    return base_url is not None and any(f"//{host}" in base_url for host in LOCAL_HOSTS)


class OpenAIJudge:
    """Figure B.2's pairwise prompt sent to an OpenAI-compatible chat endpoint.

    With ``config.serve`` set, the endpoint is a server this judge starts for the duration of ``serving()``
    (``transformers serve`` or vLLM on this machine, ``pdbench.eval.serving``); its identity then names the
    served model's files, not the server's port, so verdicts are reused across runs.
    """

    def __init__(self, config: JudgeConfig):
        self.config = config
        prompt_path = Path(config.prompt_file)
        self.template = (prompt_path if prompt_path.is_file() else PROMPT_DIR / config.prompt_file).read_text(encoding="utf-8")
        self.prompt_version = hashlib.sha256(self.template.encode()).hexdigest()[:12]
        self.requests = 0
        suffix = f"|prompt:{self.prompt_version}|t:{config.temperature}"
        if config.serve:
            from pdbench.infra.models import model_fingerprint, resolve_model_path

            self.model = resolve_model_path(config.model)
            self.endpoint = f"a {config.serve} server of {config.model} on this machine"
            self.identity = f"served:{model_fingerprint(self.model)}|{config.serve}{suffix}"
            self.client = None  # made at the first request inside serving(), once the server answers
            self._server, self._start_lock = None, threading.Lock()
            return
        api_key = os.environ.get(config.api_key_env)
        if not api_key:
            if not is_local(config.base_url):
                raise JudgeConfigError(
                    f"judge {config.name} needs an API key: set ${config.api_key_env} "
                    "(a local endpoint, e.g. --judge local-serve, needs none)"
                )
            api_key = "EMPTY"  # local OpenAI-compatible servers accept any key
        self.model = config.model
        self.client = self._client(api_key, config.base_url)
        self.endpoint = config.base_url or OPENAI_BASE_URL
        self.identity = f"openai:{config.model}@{config.base_url or 'api.openai.com'}{suffix}"

    def _client(self, api_key: str, base_url: str | None) -> openai.OpenAI:
        return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=self.config.timeout_s,
                             max_retries=self.config.max_retries)

    @contextmanager
    def serving(self) -> Iterator[None]:
        """A block in which the judge may be asked. A judge that serves its own model starts its server at the first
        request inside the block (a rerun whose verdicts are all cached starts none) and stops it at the end."""
        if not self.config.serve:
            yield
            return
        with ExitStack() as self._server:
            try:
                yield
            finally:
                self.client = None
        self._server = None

    def _served_client(self) -> openai.OpenAI:
        """The client of the judge's own server, started on first need (once, whichever thread asks first)."""
        from pdbench.eval.serving import serve_model

        with self._start_lock:
            if self.client is None:
                if self._server is None:
                    raise JudgeConfigError(f"judge {self.config.name} serves its own model: ask it inside "
                                           "judge.serving()")
                base_url = self._server.enter_context(serve_model(self.config.serve, self.model, name="judge"))
                self.client = self._client("EMPTY", base_url)
        return self.client

    def check(self) -> None:
        """Ask the endpoint for its model list once (no retries, short timeout); raise JudgeUnavailableError if
        it cannot be reached or rejects the key. An endpoint without a models list (404 / 405) passes. A judge
        that serves its own model checks that its server can start here."""
        if self.config.serve:
            from pdbench.eval.serving import server_problem

            problem = server_problem(self.config.serve)
            if problem:
                raise JudgeConfigError(f"judge {self.config.name}: cannot serve {self.config.model}: {problem}")
            return
        try:
            self.client.with_options(timeout=CHECK_TIMEOUT_S, max_retries=0).models.list()
        except openai.APIStatusError as error:
            if error.status_code in (404, 405):
                return
            raise self._unavailable(error, "the endpoint check", CHECK_TIMEOUT_S) from None
        except openai.APIError as error:
            raise self._unavailable(error, "the endpoint check", CHECK_TIMEOUT_S) from None

    def judge(self, instruction: str, response_1: str, response_2: str) -> JudgeReply:
        """Ask once; the reply's first line should hold the two scores."""
        content = self.template.format(instruction=instruction, response_1=response_1, response_2=response_2)
        text = self.complete([{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}],
                             self.config.max_tokens)
        return JudgeReply(parse_score_line(text), text)

    def complete(self, messages: list[dict], max_tokens: int) -> str:
        """The judge model's reply to a chat (also alpaca_eval's annotator, ``pdbench.eval.alpaca``)."""
        client = self._served_client() if self.config.serve else self.client
        self.requests += 1
        try:
            completion = client.chat.completions.create(
                model=self.model, messages=messages, temperature=self.config.temperature, max_tokens=max_tokens)
        except openai.APIError as error:
            raise self._unavailable(error, f"a request, after {self.config.max_retries} retries",
                                    self.config.timeout_s) from None
        choices = getattr(completion, "choices", None)
        return (choices[0].message.content if choices else None) or ""

    def _unavailable(self, error, during: str, timeout_s: float) -> JudgeUnavailableError:
        """One line naming the endpoint and the failure. Only the status and error kind are quoted:
        a server's error body may echo part of the API key."""
        if isinstance(error, openai.APIStatusError):
            problem = f"HTTP {error.status_code}"
            if error.status_code in (401, 403):
                problem += f" (the key in ${self.config.api_key_env} was rejected)"
        elif isinstance(error, openai.APITimeoutError):
            problem = f"no answer within {timeout_s:g} s"
        else:
            problem = f"cannot connect ({type(error).__name__})"
        return JudgeUnavailableError(f"judge {self.config.model} at {self.endpoint}: {problem} in {during}")
