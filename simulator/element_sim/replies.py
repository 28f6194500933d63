"""What the HTTP layer sends back: a JSON-RPC answer, a /sim/ answer, an HTML page, or nothing."""

from dataclasses import dataclass, field

from .jsonout import encode_json

UNAUTHORIZED_HTML = ("<html><head><title>401 Unauthorized</title></head>"
                     "<body><h1>401 Unauthorized.</h1></body></html>")


def status_page(status, reason):
    return (f"<html><head><title>{status} {reason}</title></head><body>"
            f"<h1>{status} {reason}</h1><p> {reason} </p></body></html>")


@dataclass
class Reply:
    status: int = 200
    answer: object = None         # JSON-RPC response object or /sim/ JSON
    html: str = None
    headers: list = field(default_factory=list)
    drop: bool = False            # close the connection without any response

    def body(self):
        if self.html is not None:
            return self.html.encode(), "text/html; charset=utf-8"
        return encode_json(self.answer).encode(), "application/json"


DROP = Reply(drop=True)
NOT_FOUND = Reply(404, html=status_page(404, "Not Found"))
UNAUTHORIZED = Reply(401, html=UNAUTHORIZED_HTML,
                     headers=[("WWW-Authenticate", 'Basic realm="SolidFire"')])
