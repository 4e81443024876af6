"""A browser session of a served Streamlit app, without the browser.

``open_like_a_browser`` fetches what a browser fetches before it connects (the page, and
on a first visit the scripts, styles and fonts it names). ``Session`` then speaks the
protocol the Streamlit frontend speaks: a websocket at ``/_stcore/stream``
carrying ``BackMsg`` protobufs to the server and ``ForwardMsg`` protobufs back. A run is
asked for with a ``rerun_script`` BackMsg holding the query string, the page (by its URL
path the first time, then by the script hash the server named) and the state of every
widget; the server answers with the elements the run draws, then ``script_finished``.
Like the frontend, a session keeps the value of every widget of its last run and sends
them all back with the next, and a button press is a trigger value sent once.

Only what the benchmarks need is read: the widgets (radios, text inputs and areas,
select boxes, buttons), the text of every element, errors and exceptions.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# streamlit.proto.Alert.Format
ERROR_ALERT = 1
SUCCESS_ALERT = 4
# What the page's run ends with when it ran to the end (or stopped itself, st.stop).
FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
WIDGETS_WITH_TEXT = ("text_input", "text_area")
WIDGETS_WITH_CHOICE = ("radio", "selectbox")
# A websocket frame may carry a whole page of elements.
MAX_FRAME_BYTES = 2**26
# The frontend's files a page names: its scripts, styles and font.
STATIC_REFERENCE = re.compile(r'(?:src|href)="\./(static/[^"]+)"')
# A browser opens at most six connections to one host at a time.
BROWSER_CONNECTIONS = 6


class ProtocolError(RuntimeError):
    """The server answered in a way a browser would not have understood."""


@dataclass(frozen=True)
class Widget:
    """A widget of a run as the frontend sees it."""

    kind: str  # the Element's type: radio, text_area, text_input, selectbox, button
    id: str
    label: str
    options: tuple[str, ...] = ()
    value: str | None = None  # the value the frontend would hold now (None: nothing)
    form_id: str = ""
    is_form_submitter: bool = False
    primary: bool = False
    # Whether the run set the value (``set_value``): otherwise the frontend keeps the
    # value it held for the same widget, and ``value`` is only the widget's default.
    value_set: bool = False

    def has_key(self, key: str) -> bool:
        """Whether the widget was made with ``key=key`` (its id ends with the key)."""
        return self.id.endswith(f"-{key}")


@dataclass
class RunResult:
    """What one run drew, how long it took from the request to ``script_finished``."""

    seconds: float = 0.0
    status: int = -1
    page_script_hash: str = ""
    elements: list[Element] = field(default_factory=list)
    page_not_found: bool = False

    def kinds(self) -> list[str]:
        return [str(e.WhichOneof("type")) for e in self.elements]

    def widgets(self) -> list[Widget]:
        return [w for e in self.elements if (w := _widget(e)) is not None]

    def texts(self) -> list[str]:
        """The visible text of every element, in order (markdown, alerts, metrics...)."""
        return [t for e in self.elements if (t := _text(e))]

    def successes(self) -> list[str]:
        """The success messages the run showed."""
        return [e.alert.body for e in self.elements if _is_alert(e, SUCCESS_ALERT)]

    def errors(self) -> list[str]:
        """Error boxes and exceptions the run showed, and a page the app did not know."""
        found = [e.alert.body for e in self.elements if _is_alert(e, ERROR_ALERT)]
        found += [
            f"{e.exception.type}: {e.exception.message}"
            for e in self.elements
            if e.WhichOneof("type") == "exception"
        ]
        if self.page_not_found:
            found.append("page not found")
        return found

    def find(self, pattern: re.Pattern[str]) -> list[str]:
        """Every match of ``pattern`` in the text the run showed."""
        return [m for text in self.texts() for m in pattern.findall(text)]


def _is_alert(element: Element, alert_format: int) -> bool:
    return element.WhichOneof("type") == "alert" and element.alert.format == alert_format


def _text(element: Element) -> str:
    kind = element.WhichOneof("type")
    if kind == "markdown":
        return element.markdown.body
    if kind == "alert":
        return element.alert.body
    if kind == "metric":
        return f"{element.metric.label}: {element.metric.body}"
    if kind == "heading":
        return element.heading.body
    if kind == "code":
        return element.code.code_text
    return ""


def _widget(element: Element) -> Widget | None:
    kind = element.WhichOneof("type")
    if kind in WIDGETS_WITH_TEXT:
        proto = getattr(element, kind)
        value = proto.value if proto.set_value else proto.default
        return Widget(
            kind,
            proto.id,
            proto.label,
            value=value,
            form_id=proto.form_id,
            value_set=proto.set_value,
        )
    if kind in WIDGETS_WITH_CHOICE:
        proto = getattr(element, kind)
        options = tuple(proto.options)
        if proto.set_value:
            value: str | None = proto.raw_value
        elif proto.HasField("default") and proto.default < len(options):
            value = options[proto.default]
        else:
            value = None
        return Widget(
            kind, proto.id, proto.label, options, value, proto.form_id, value_set=proto.set_value
        )
    if kind == "button":
        button = element.button
        return Widget(
            kind,
            button.id,
            button.label,
            form_id=button.form_id,
            is_form_submitter=button.is_form_submitter,
            primary=button.type == "primary",
        )
    return None


class Connection:
    """One HTTP/1.1 connection kept open between requests, as a browser keeps it."""

    def __init__(self, base_url: str):
        self.address = urlsplit(base_url)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> bytes:
        """The body of ``GET /path``."""
        if self.writer is None:
            host, port = self.address.hostname, self.address.port
            self.reader, self.writer = await asyncio.open_connection(host, port)
        assert self.reader is not None
        self.writer.write(f"GET /{path} HTTP/1.1\r\nHost: {self.address.netloc}\r\n\r\n".encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = head.split(" ", 2)[1]
        length = re.search(r"(?im)^content-length:\s*(\d+)", head)
        if status != "200" or length is None:
            raise ProtocolError(f"GET /{path}: HTTP {status}")
        return await self.reader.readexactly(int(length.group(1)))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def open_like_a_browser(base_url: str, path: str, *, static: bool) -> None:
    """What a browser fetches before it connects, over at most six connections: the
    page, its scripts and styles (a first visit has none cached), the health check and
    the host's settings."""
    connections = [Connection(base_url) for _ in range(BROWSER_CONNECTIONS)]
    try:
        html = (await connections[0].get(path)).decode()
        assets = sorted(set(STATIC_REFERENCE.findall(html))) if static else []
        queue = ["_stcore/health", "_stcore/host-config", *assets]

        async def fetch(connection: Connection) -> None:
            while queue:
                await connection.get(queue.pop())

        await asyncio.gather(*(fetch(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()


def widget_state(widget: Widget, value: str | bool) -> WidgetState:
    """The state the frontend sends for ``widget`` holding ``value`` (True: pressed)."""
    state = WidgetState(id=widget.id)
    if widget.kind == "button":
        state.trigger_value = bool(value)
    else:
        state.string_value = str(value)
    return state


class Session:
    """One browser tab's session: connect, ask for runs, close.

    ``values`` holds what the frontend would send back for each widget of the last run.
    """

    def __init__(self, base_url: str, *, timeout: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.page_script_hash = ""
        self.values: dict[str, WidgetState] = {}
        self._socket: websockets.ClientConnection | None = None

    async def connect(self) -> None:
        address = urlsplit(self.base_url)
        self._socket = await websockets.connect(
            f"ws://{address.netloc}/_stcore/stream",
            # The frontend's subprotocols: the protocol, then the XSRF token (none: no
            # sign-on cookie to protect), then the session to resume (none: a new tab).
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(self.base_url),
            max_size=MAX_FRAME_BYTES,
            open_timeout=self.timeout,
            ping_interval=None,  # the server's own heartbeats are enough
            compression=None,
        )

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def run(
        self,
        *,
        page: str = "",
        query: str = "",
        changes: list[WidgetState] | None = None,
    ) -> RunResult:
        """Ask for a run and wait for it; ``page`` is a URL path for a page not yet shown
        (the first run, or a move to another page); ``changes`` the widgets the person
        set or pressed since the last run."""
        if self._socket is None:
            raise ProtocolError("not connected")
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        if page:
            state.page_name = page
        else:
            state.page_script_hash = self.page_script_hash
        state.context_info.timezone = "Europe/London"
        state.context_info.locale = "en-GB"
        state.context_info.url = f"{self.base_url}/{page}" + (f"?{query}" if query else "")
        sent = dict(self.values)
        for change in changes or []:
            sent[change.id] = change
        state.widget_states.widgets.extend(sent.values())
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        result = await asyncio.wait_for(self._receive_run(), self.timeout)
        result.seconds = time.perf_counter() - started
        self.page_script_hash = result.page_script_hash or self.page_script_hash
        self.values = {}
        for widget in result.widgets():
            if widget.kind == "button":
                continue
            if not widget.value_set and widget.id in sent:
                # Drawn again unchanged: the frontend keeps what it held (a value set
                # from the session's state reaches it once, on the run that set it).
                self.values[widget.id] = sent[widget.id]
            elif widget.value is not None:
                self.values[widget.id] = widget_state(widget, widget.value)
        return result

    async def _receive_run(self) -> RunResult:
        assert self._socket is not None
        result = RunResult()
        while True:
            frame = await self._socket.recv()
            if isinstance(frame, str):
                raise ProtocolError(f"text frame from the server: {frame[:200]}")
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                # A run starts (again, after st.switch_page or st.rerun): draw afresh.
                result.elements.clear()
                result.page_not_found = False
                result.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                result.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_not_found":
                result.page_not_found = True
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                result.elements.append(msg.delta.new_element)
            elif kind == "script_finished":
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    result.status = msg.script_finished
                    return result
            elif kind == "ref_hash":
                raise ProtocolError("a cached message was referred to; none was offered")
