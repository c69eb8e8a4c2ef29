"""The portal's load benchmark (run it as bench/run; CI does not).

For each database (SQLite in BENCH_DIR, then the PostgreSQL database
portal_bench, created and dropped here):

1. migrate a fresh database; generate a small site (BENCH_SMALL_NEWS news) and
   count each URL's queries with Django's test client (bench/queries.py);
2. replace it with the full site (BENCH_NEWS news × 4 languages) and count again;
3. serve it with gunicorn and the production settings, as `make serve` does
   (portal.settings.bench adds only /bench/ping and Wagtail's starter page),
   and measure every URL with wrk on 127.0.0.1; then read the workers' memory.

The load runs with the full-page cache off (PAGE_CACHE_SECONDS=0); with
BENCH_CACHED=1 it runs a second time with BENCH_CACHED_ENV ("NAME=value …",
default PAGE_CACHE_SECONDS=300, production's default) added to gunicorn's
environment. Results go to BENCH_DIR/results.json and
BENCH_RESULTS (bench/RESULTS.md).

Every load is bounded (BENCH_DURATION seconds per URL) and stays on 127.0.0.1.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG_DATABASE = "portal_bench"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class Config:
    """What bench/run measures; every field is an environment variable (BENCH_<NAME>)."""

    news: int
    small_news: int
    zones: int
    delegations: int
    images: int
    databases: tuple
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    timeout: int
    directory: str
    pg_server: str
    cached: bool
    cached_env: str
    results: str
    keep_database: bool
    quiet_wait: int
    merge: bool

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            news=env_int("BENCH_NEWS", 10_000),
            small_news=env_int("BENCH_SMALL_NEWS", 100),
            zones=env_int("BENCH_ZONES", 50),
            delegations=env_int("BENCH_DELEGATIONS", 500),
            images=env_int("BENCH_IMAGES", 20),
            databases=tuple(env_str("BENCH_DATABASES", "sqlite,postgres").split(",")),
            duration=env_int("BENCH_DURATION", 10),
            warmup=env_int("BENCH_WARMUP", 2),
            connections=env_int("BENCH_CONNECTIONS", 10),
            threads=env_int("BENCH_THREADS", 2),
            workers=env_int("BENCH_WORKERS", 2),
            timeout=env_int("BENCH_TIMEOUT", 30),
            directory=env_str("BENCH_DIR", "/tmp/portal-bench"),  # noqa: S108 (a scratch folder on this machine)
            pg_server=env_str("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432"),
            cached=env_str("BENCH_CACHED", "0") == "1",
            cached_env=env_str("BENCH_CACHED_ENV", "PAGE_CACHE_SECONDS=300"),
            results=env_str("BENCH_RESULTS", str(ROOT / "bench" / "RESULTS.md")),
            keep_database=env_str("BENCH_KEEP_DATABASE", "0") == "1",
            quiet_wait=env_int("BENCH_QUIET_WAIT", 600),
            merge=env_str("BENCH_MERGE", "0") == "1",
        )


# The machine may be shared: a measurement during which other processes took more than this share of
# the CPUs is repeated (at most MEASUREMENTS times in all); the share is reported either way.
DISTURBED_PCT = 10
MEASUREMENTS = 3
SITE_HOST = "localhost"  # the generated site's Site.hostname (bench/sitedata.py)
BASELINES = ("static file", "minimal view (/bench/ping)", "Wagtail starter page")
# Targets measured with other wrk options than the rest (name → options); none at present.
LOAD_OVERRIDES: dict[str, dict] = {}

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"bytes\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"p99_us\\": %d, \\"mean_us\\": %.1f, \\"max_us\\": %d, \\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, "
    .. "\\"status\\": %d, \\"timeout\\": %d}\\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


TICKS = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[float, int, str]]:
    """pid → (CPU seconds used, parent pid, command line) of every process (/proc)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        table[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / TICKS, int(fields[1]), command)
    return table


def is_ours(pid: int, table: dict) -> bool:
    """The runner and its descendants (gunicorn, wrk), and PostgreSQL's processes for the benchmark's database."""
    command = table[pid][2]
    if PG_DATABASE in command:
        return True
    if command.startswith("postgres: ") and "parallel worker for PID " in command:
        leader = int(command.rsplit("PID ", 1)[1].split()[0])
        return leader in table and PG_DATABASE in table[leader][2]
    seen = set()
    while pid not in seen and pid in table:
        if pid == os.getpid():
            return True
        seen.add(pid)
        pid = table[pid][1]
    return False


class OtherLoad:
    """The share of the machine's CPUs that other processes used meanwhile (the machine may be shared).

    Counted per process, so that the benchmark's own PostgreSQL connections, which come and go
    (CONN_MAX_AGE, parallel workers), are never mistaken for someone else's.
    """

    def __init__(self):
        self.started = time.monotonic()
        self.before = processes()

    def percent(self) -> float:
        elapsed = time.monotonic() - self.started
        after = processes()
        other = sum(
            cpu - (self.before[pid][0] if pid in self.before else 0.0)
            for pid, (cpu, _parent, _command) in after.items()
            if not is_ours(pid, after)
        )
        return round(max(0.0, other) / (elapsed * (os.cpu_count() or 1)) * 100, 1) if elapsed else 0.0


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201 (a script's progress)


class Bench:
    def __init__(self, config: Config):
        self.config = config
        self.dir = Path(config.directory)
        self.log = self.dir / "bench.log"
        self.results: dict = {"config": asdict(config), "databases": {}}

    # -- processes --
    def env(self, database_url: str, **extra) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver,starter.localhost",
            # Production requires a mail server; the benchmark sends no mail.
            "EMAIL_HOST": "127.0.0.1",
            "DEFAULT_FROM_EMAIL": "bench@localhost",
            # No TLS proxy in front here: plain HTTP must not redirect.
            "SECURE_SSL_REDIRECT": "0",
            "MEDIA_ROOT": str(self.dir / "media"),
            "STATIC_ROOT": str(self.dir / "static"),
            "BENCH_STARTER_DIR": str(self.dir / "starter"),
            "LOG_LEVEL": "WARNING",
            # Uncached unless the cached pass turns it on (BENCH_CACHED_ENV); production's default is 300.
            "PAGE_CACHE_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(extra)
        return env

    def run(self, args: list[str], env: dict, what: str) -> float:
        started = time.perf_counter()
        with self.log.open("a") as log:
            log.write(f"\n$ {shlex.join(args)}\n")
            log.flush()
            result = subprocess.run(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
        if result.returncode:
            raise SystemExit(f"{what} failed (exit {result.returncode}); see {self.log}")
        return time.perf_counter() - started

    def manage(self, env: dict, *args: str) -> float:
        return self.run([str(VENV / "python"), "manage.py", *args], env, f"manage.py {args[0]}")

    # -- databases --
    def psql(self, sql: str) -> None:
        subprocess.run(  # noqa: S603
            ["psql", self.config.pg_server + "/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],  # noqa: S607
            check=True,
            capture_output=True,
        )

    def create_database(self, kind: str) -> str:
        if kind == "sqlite":
            path = self.dir / "bench.sqlite3"
            path.unlink(missing_ok=True)
            return f"sqlite:///{path}"
        if kind == "postgres":
            self.psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            self.psql(f"CREATE DATABASE {PG_DATABASE}")
            return f"{self.config.pg_server}/{PG_DATABASE}"
        raise SystemExit(f"Unknown database {kind!r} in BENCH_DATABASES (use sqlite, postgres).")

    def drop_database(self, kind: str) -> None:
        if self.config.keep_database:
            return
        if kind == "sqlite":
            (self.dir / "bench.sqlite3").unlink(missing_ok=True)
        else:
            self.psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")

    # -- measuring --
    def generate(self, env: dict, news: int, name: str, *flags: str) -> dict:
        out = self.dir / f"generate-{name}.json"
        c = self.config
        wall = self.run(
            [
                str(VENV / "python"),
                "-m",
                "bench.generate",
                f"--news={news}",
                f"--zones={c.zones}",
                f"--delegations={c.delegations}",
                f"--images={c.images}",
                f"--timings-json={out}",
                *flags,
            ],
            env,
            "bench.generate",
        )
        report = json.loads(out.read_text())
        report["wall"] = wall
        return report

    def queries(self, env: dict, name: str) -> dict:
        out = self.dir / f"queries-{name}.json"
        self.run([str(VENV / "python"), "-m", "bench.queries", str(out)], env, "bench.queries")
        return json.loads(out.read_text())

    def serve(self, env: dict) -> tuple[subprocess.Popen, int]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # As `make serve` runs it (Makefile), on a free port of the loopback interface.
        args = [
            str(VENV / "gunicorn"),
            "portal.wsgi:application",
            "--workers",
            str(self.config.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
        ]
        with self.log.open("a") as log:
            log.write(f"\n$ {shlex.join(args)}\n")
        server_log = (self.dir / "gunicorn.log").open("a")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see {self.dir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return process, port
            except OSError:
                time.sleep(0.3)
        self.stop(process)
        raise SystemExit("gunicorn did not answer /healthz within 60 s.")

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def worker_rss(self, process: subprocess.Popen) -> dict:
        result = subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=,ppid=,rss=", "-e"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
        workers, master = [], None
        for line in result.stdout.splitlines():
            pid, ppid, rss = (int(x) for x in line.split())
            if ppid == process.pid:
                workers.append(round(rss / 1024, 1))
            if pid == process.pid:
                master = round(rss / 1024, 1)
        return {"workers_mb": sorted(workers), "master_mb": master}

    def wait_for_quiet(self) -> float:
        """Wait (at most BENCH_QUIET_WAIT seconds) until other processes leave the CPUs alone; their share."""
        deadline = time.monotonic() + self.config.quiet_wait
        while True:
            load = OtherLoad()
            time.sleep(3)
            share = load.percent()
            if share < 5 or time.monotonic() > deadline:
                return share

    def wrk(self, url: str, host: str | None, seconds: int, connections: int) -> dict:
        script = self.dir / "report.lua"
        args = ["wrk", f"-t{self.config.threads}", f"-c{connections}", f"-d{seconds}s"]
        args += [f"--timeout={self.config.timeout}s", "-s", str(script)]
        if host:
            args += ["-H", f"Host: {host}"]
        load = OtherLoad()
        result = subprocess.run([*args, url], capture_output=True, text=True, check=True)  # noqa: S603
        other = load.percent()
        with self.log.open("a") as log:
            log.write(f"\n$ {shlex.join([*args, url])}\n{result.stdout}{result.stderr}")
        line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_JSON "))
        data = json.loads(line.removeprefix("WRK_JSON "))
        seconds_run = data["duration_us"] / 1e6
        return {
            "rps": round(data["requests"] / seconds_run, 1) if seconds_run else 0.0,
            "p50_ms": round(data["p50_us"] / 1000, 1),
            "p95_ms": round(data["p95_us"] / 1000, 1),
            "p99_ms": round(data["p99_us"] / 1000, 1),
            "requests": data["requests"],
            "errors": sum(data[k] for k in ("connect", "read", "write", "status", "timeout")),
            "mb_per_s": round(data["bytes"] / seconds_run / 1e6, 2) if seconds_run else 0.0,
            "other_cpu_pct": other,
        }

    def drain(self, port: int, limit: int = 300) -> None:
        """Wait until the workers have finished the requests wrk left queued (sync workers finish them all)."""
        deadline = time.monotonic() + limit
        quick = 0
        while quick < 3 and time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping", timeout=limit):  # noqa: S310
                    pass
            except OSError:
                time.sleep(0.2)
                continue
            quick = quick + 1 if time.perf_counter() - started < 0.05 else 0

    def load(self, env: dict, targets: dict) -> dict:
        c = self.config
        process, port = self.serve(env)
        try:
            results = {}
            # The baselines first.
            order = sorted(targets, key=lambda n: (n not in BASELINES, n in LOAD_OVERRIDES, list(targets).index(n)))
            for name in order:
                target = targets[name]
                options = {"connections": c.connections, "duration": c.duration, "warmup": c.warmup}
                options |= LOAD_OVERRIDES.get(name, {})
                url = f"http://127.0.0.1:{port}{target['url']}"
                if options["warmup"]:
                    self.wrk(url, target.get("host"), options["warmup"], min(4, options["connections"]))
                self.drain(port)
                for attempt in range(1, MEASUREMENTS + 1):
                    quiet = self.wait_for_quiet()
                    result = self.wrk(url, target.get("host"), options["duration"], options["connections"])
                    self.drain(port)
                    if result["other_cpu_pct"] <= DISTURBED_PCT or attempt == MEASUREMENTS:
                        break
                    say(f"    {name}: other processes took {result['other_cpu_pct']} % of the CPUs; measuring again")
                result |= {"other_cpu_pct_before": quiet, "attempts": attempt}
                result["workers_mb_after"] = self.worker_rss(process)["workers_mb"]
                results[name] = result | {"connections": options["connections"], "duration": options["duration"]}
                say(
                    f"    {name}: {result['rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
                    f"(other processes: {result['other_cpu_pct']} % CPU)"
                )
            results["_memory"] = self.worker_rss(process)
        finally:
            self.stop(process)
        return results

    # -- the run --
    def setup(self) -> None:
        if not shutil.which("wrk"):
            raise SystemExit("wrk is missing: apt-get install -y wrk")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")
        (self.dir / "gunicorn.log").write_text("")
        (self.dir / "report.lua").write_text(WRK_SCRIPT)
        shutil.rmtree(self.dir / "media", ignore_errors=True)
        self.run(
            [str(VENV / "python"), "-m", "bench.starter", "templates", str(self.dir / "starter")], os.environ, "starter"
        )

    def database(self, kind: str) -> dict:
        c = self.config
        say(f"{kind}: fresh database")
        url = self.create_database(kind)
        env = self.env(url)
        record: dict = {"started": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": report.commit()}
        record["migrate_s"] = round(self.manage(env, "migrate", "--noinput", "-v0"), 1)
        # Always: a manifest left by an earlier run of older code lacks files added since (the pages
        # the generator renders to verify would fail on them).
        self.manage(env, "collectstatic", "--noinput", "-v0")
        say(f"{kind}: {c.small_news} news")
        record["generate_small"] = self.generate(env, c.small_news, f"{kind}-small")
        self.run([str(VENV / "python"), "-m", "bench.starter", "site"], env, "starter site")
        record["queries_small"] = self.queries(env, f"{kind}-small")
        say(f"{kind}: {c.news} news")
        record["generate"] = self.generate(env, c.news, f"{kind}-full", "--replace")
        say(f"{kind}: generated in {record['generate']['generate']:.1f} s")
        record["queries"] = self.queries(env, f"{kind}-full")
        # Host: the site's host name, as a visitor's browser sends the portal's domain (and as the
        # query counts were taken); the starter page has its own.
        targets = {name: {"url": q["url"], "host": q.get("host") or SITE_HOST} for name, q in record["queries"].items()}
        say(f"{kind}: load (uncached)")
        record["uncached"] = self.load(env, targets)
        if c.cached:
            say(f"{kind}: load (cached: {c.cached_env or 'BENCH_CACHED_ENV is empty'})")
            extra = dict(item.split("=", 1) for item in shlex.split(c.cached_env))
            record["cached"] = self.load(self.env(url, **extra), targets)
        self.drop_database(kind)
        return record

    def main(self) -> None:
        self.setup()
        self.results["machine"] = report.machine(self.config.pg_server)
        previous = self.dir / "results.json"
        if self.config.merge and previous.exists():
            # BENCH_MERGE=1: keep the other databases' results of the last run
            kept = json.loads(previous.read_text())["databases"]
            self.results["databases"] = {k: v for k, v in kept.items() if k not in self.config.databases}
        for kind in self.config.databases:
            self.results["databases"][kind] = self.database(kind)
            (self.dir / "results.json").write_text(json.dumps(self.results, indent=2, ensure_ascii=False) + "\n")
        results = Path(self.config.results)
        written = results.read_text(encoding="utf-8") if results.exists() else ""
        results.write_text(report.keep_sections(report.markdown(self.results), written), encoding="utf-8")
        say(f"Results: {self.dir / 'results.json'} and {self.config.results}")


if __name__ == "__main__":
    # Stopped with kill: leave through the finally blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/run stopped"))
    Bench(Config.from_env()).main()
