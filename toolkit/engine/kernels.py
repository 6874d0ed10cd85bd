"""Report kernels forked from a warm template process, so a notebook does not pay for importing
Python, IPython, pandas, matplotlib and the toolkit every time (~1.5 s of CPU per report).

A cold Jupyter kernel is `python -m ipykernel_launcher`: a new interpreter that imports IPython,
then the notebook's first cell imports pandas and the toolkit. Here one template process per
renderer (a "zygote") does those imports once, having run nothing else; each notebook then gets
a kernel *forked* from it. That kernel is a new process in the state a cold kernel reaches after
its imports: no user namespace, no history, nothing executed, the same argv, environment, working
folder and sys.path; only library modules are already in sys.modules, as after an IPython startup
file that imports pandas. It runs one notebook and is shut down, so no state passes between
reports. A preload entry "module:function" also runs that function once (a module's `warm`): it
fills the cache of a pure function every kernel would otherwise fill on its own (the calendars' time
zone), never anything of a report. (Not matplotlib's fonts: it forgets them in a forked child.)
Executed notebooks are identical to a cold kernel's (tests/test_render.py checks).

Fork is POSIX-only; elsewhere, with CLIENTCARE_KERNEL_FORK=0, for a kernel spec that does not
run this interpreter, or when the template cannot start, kernels start the usual way.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import logging
import multiprocessing.util
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Seconds to wait for the template's imports before falling back to a cold kernel.
READY_TIMEOUT = 120.0
_MPL_INLINE = "module://matplotlib_inline.backend_inline"


def fork_enabled() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux") \
        and os.environ.get("CLIENTCARE_KERNEL_FORK", "1") != "0"


# --- the template process -------------------------------------------------------------------
def _serve(requests: int, replies: int, preload: Sequence[str], parent: int | None = None) -> None:
    """Main loop of the template: import, then fork one kernel per request line.

    It dies with `parent` (the renderer that started it, when given), and in any case ends when
    the renderer's end of the request pipe closes; each kernel dies with the template."""
    if parent is not None:
        from toolkit.engine.lifecycle import die_with_parent

        die_with_parent(parent)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel puts '' back itself
    os.environ.setdefault("MPLBACKEND", _MPL_INLINE)  # what ipykernel sets before any user import
    import gc

    from ipykernel import kernelapp  # noqa: F401

    for name in preload:  # "module", or "module:function" to run once after the import
        module_name, _, function = name.partition(":")
        try:
            module = importlib.import_module(module_name)
            if function:
                getattr(module, function)()
        except Exception:  # the notebook will import it again and report the error properly
            log.debug("preload of %s failed", name, exc_info=True)
    signal.signal(signal.SIGCHLD, _reap)
    gc.collect()
    gc.freeze()  # imported objects stay in shared pages in every forked kernel
    out = os.fdopen(replies, "w", buffering=1)
    out.write("ready\n")
    me = os.getpid()
    with os.fdopen(requests, "r") as inbox:
        for line in inbox:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, requests, replies, me)
            out.write(json.dumps({"pid": pid}) + "\n")


def _reap(_signum: int, _frame: Any) -> None:
    """Collect finished kernels (so no zombies, and their usage counts as this process's children)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _become_kernel(request: dict[str, Any], requests: int, replies: int, template_pid: int) -> None:
    """In the forked child: take on the launch settings of a cold kernel, then run ipykernel."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client gives a kernel: interrupts reach it alone
        from toolkit.engine.lifecycle import die_with_parent

        die_with_parent(template_pid)  # out of the batch's process group, so killing that group misses it
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (requests, replies):
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits if the template goes
        from ipykernel import kernelapp

        sys.argv = [str(Path(kernelapp.__file__).parent.parent / "ipykernel_launcher.py"), *request["argv"]]
        app = kernelapp.IPKernelApp.instance()
        app.initialize(request["argv"])
        app.start()
        # The shutdown request stops this thread's loop while the control thread is still flushing
        # its reply through the IOPub thread; closing the app now would stop IOPub under it and
        # leave the flush waiting (seconds). Let the channel threads finish first.
        for thread in (getattr(app, "control_thread", None), getattr(app, "shell_channel_thread", None)):
            if thread is not None and thread.is_alive():
                thread.join(timeout=5)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        atexit._run_exitfuncs()  # what interpreter shutdown would run (IPython history, ...)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream at exit is fine
                stream.flush()
        os._exit(code)


# --- the renderer's side --------------------------------------------------------------------
class Template:
    """A running template process and the pipes to ask it for kernels."""

    def __init__(self, preload: Sequence[str] = ()):
        self.pythonpath = os.environ.get("PYTHONPATH")
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        # The template dies with this process, unless this thread is a passing one (the parent-death
        # signal follows the thread that started a child): it then ends when the request pipe closes.
        parent = os.getpid() if threading.current_thread() is threading.main_thread() else None
        code = f"from toolkit.engine.kernels import _serve; _serve({req_r}, {rep_w}, {list(preload)!r}, {parent})"
        try:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(req_r, rep_w),
                                            stdin=subprocess.DEVNULL)
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._replies = os.fdopen(self._rep_r, "r")
        self._lock = threading.Lock()
        self._ready = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def _read_line(self, timeout: float) -> str:
        import select

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("kernel template did not answer")
            ready, _, _ = select.select([self._replies], [], [], min(left, 1.0))
            if ready:
                line = self._replies.readline()
                if not line:
                    raise EOFError("kernel template exited")
                return line
            if not self.alive():
                raise EOFError("kernel template exited")

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel process running `ipykernel_launcher argv` in cwd with env; its pid."""
        with self._lock:
            try:
                if not self._ready:
                    if self._read_line(READY_TIMEOUT).strip() != "ready":
                        raise RuntimeError("kernel template failed to start")
                    self._ready = True
                os.write(self._req_w, (json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n").encode())
                return int(json.loads(self._read_line(30.0))["pid"])
            except BaseException:
                self.close()  # a half-finished exchange: never reuse this template
                raise

    def close(self) -> None:
        for closer in (lambda: os.close(self._req_w), self._replies.close):
            with contextlib.suppress(OSError):
                closer()
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()


_template: Template | None = None
_template_lock = threading.Lock()


def warm_up(preload: Sequence[str] = ()) -> None:
    """Start this process's kernel template now (it imports in the background), so that the
    first report does not wait for it. Safe to call more than once; a no-op where fork is off."""
    template(preload)


def template(preload: Sequence[str] = ()) -> Template | None:
    """This process's template, started (or restarted after a crash) on demand; None if disabled."""
    global _template
    if not fork_enabled():
        return None
    with _template_lock:
        if _template is None or not _template.alive():
            try:
                _template = Template(preload)
                # Pool workers leave through os._exit, past atexit: stop (and reap) the template there too.
                multiprocessing.util.Finalize(_template, _template.close, exitpriority=10)
            except OSError:
                log.warning("could not start the kernel template; kernels will start cold", exc_info=True)
                _template = None
        return _template


@atexit.register
def _stop_template() -> None:
    if _template is not None:
        _template.close()


class ForkedKernel:
    """Just enough of subprocess.Popen for jupyter_client to watch a kernel that is not our child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _is_this_python(cmd: Sequence[str]) -> bool:
    """True for `<this interpreter> -m ipykernel_launcher ...`, the only kernel a template can fork."""
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.samefile(cmd[0], sys.executable)
    except OSError:
        return False


@cache
def kernel_manager_class() -> type:
    """The kernel manager for papermill: kernels come from the template when they can.

    Built on first use, so that starting a template (`warm_up`) does not import jupyter_client.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import default

    class ForkingProvisioner(LocalProvisioner):
        """LocalProvisioner that forks the kernel from the template instead of starting a new python."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            env = dict(kwargs.get("env") or os.environ)
            plain = _is_this_python(cmd) and not kwargs.get("stdout") and not kwargs.get("stderr")
            tpl = template() if plain else None
            if tpl is None or env.get("PYTHONPATH") != tpl.pythonpath:
                return await super().launch_kernel(cmd, **kwargs)
            cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # the template may sit elsewhere
            try:
                pid = tpl.fork(list(cmd[3:]), env, cwd)
            except (OSError, EOFError, TimeoutError, RuntimeError, ValueError):
                log.warning("kernel template failed; starting a cold kernel", exc_info=True)
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedKernel(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    class ForkingKernelManager(AsyncKernelManager):
        @default("client_factory")
        def _client_factory_default(self) -> type:
            return ready_client_class()

        async def _async_finish_shutdown(self, waittime: float | None = None, pollinterval: float = 0.01,
                                         restart: bool = False) -> None:
            """As jupyter_client's, but checking every 10 ms (not 100 ms) whether the kernel has
            gone: a report's kernel exits a few ms after its shutdown reply."""
            await super()._async_finish_shutdown(waittime, pollinterval, restart)

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                      parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return ForkingKernelManager


@cache
def ready_client_class() -> type:
    """A kernel client whose start-up handshake ends as soon as the kernel is ready.

    jupyter_client's `wait_for_ready` ends by reading IOPub until it has been silent for 0.2 s: a
    fixed 0.2 s before every report's first cell. This one stops at the 'idle' status of its own
    kernel_info request, which the kernel publishes last. It is otherwise the same handshake: the
    request is repeated until the reply and that status both arrive, so a late IOPub subscription
    is detected (at once when the kernel greets the new subscriber, as ipykernel 7 does, else after
    0.2 s without a message), and a kernel that dies is reported.
    """
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply" \
                        and await self._idle_after(reply["parent_header"].get("msg_id")):
                    self._handle_kernel_info_reply(reply)
                    break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            while True:  # anything else already on IOPub answers no request of ours
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

        async def _idle_after(self, msg_id: str | None, silence: float = 0.2) -> bool:
            """True once IOPub shows the kernel idle after request msg_id; False when IOPub was
            silent for `silence` seconds or greets us as a new subscriber (the status went out
            before we listened: ask again)."""
            while True:
                try:
                    msg = await self.iopub_channel.get_msg(timeout=silence)
                except Empty:
                    return False
                if msg["msg_type"] == "iopub_welcome":
                    return False
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle" \
                        and msg["parent_header"].get("msg_id") == msg_id:
                    return True

    return ReadyClient
