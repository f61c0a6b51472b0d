"""The pages, through the Flask test client: sign-in form with CSRF, redirects, `next`, and the pages' own CSP."""

from __future__ import annotations

import re

import pytest

from documents.models import Chunk, Document, DocumentPage, DocumentStatus
from extensions import db
from tests.conftest import PASSWORD, create_user
from web.access import safe_next_path

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/sign-in"):
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email="alice@example.com", password=PASSWORD, **extra):
    form = {"email": email, "password": password, "csrf_token": csrf_token(client), **extra}
    return client.post("/sign-in", data=form)


@pytest.fixture
def user_id(app):
    return create_user(app, "alice@example.com")


def test_home_sends_a_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"


def test_home_sends_a_signed_in_user_to_their_documents(client, user_id):
    sign_in(client)
    assert client.get("/").headers["Location"] == "/documents"


def test_sign_in_form_signs_in_and_redirects_to_documents(client, user_id):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/documents"
    assert client.get("/auth/me").get_json()["user"]["email"] == "alice@example.com"
    page = client.get("/documents").get_data(as_text=True)
    assert "My documents" in page
    assert 'action="/sign-out"' in page


def test_wrong_password_is_shown_inline_with_401(client, user_id):
    response = sign_in(client, password="wrong password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page
    assert "Email or password is wrong." in page
    assert 'value="alice@example.com"' in page


def test_empty_fields_are_shown_inline_with_400(client):
    response = sign_in(client, email="", password="")
    assert response.status_code == 400
    assert "Enter your email and your password." in response.get_data(as_text=True)


def test_sixth_wrong_password_is_throttled_inline_with_retry_after(client, user_id):
    for _ in range(5):
        assert sign_in(client, password="wrong password").status_code == 401
    response = sign_in(client, password="wrong password")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many wrong passwords. Try again in" in response.get_data(as_text=True)
    assert "<form" in response.get_data(as_text=True)


def test_wrong_passwords_on_the_form_and_the_api_share_one_count(client, user_id):
    for _ in range(3):
        client.post("/auth/login", json={"email": "alice@example.com", "password": "wrong"})
    for _ in range(2):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 429


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_sign_in_without_a_valid_csrf_token_is_a_400_page(client, user_id, token):
    form = {"email": "alice@example.com", "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    response = client.post("/sign-in", data=form)
    assert response.status_code == 400
    assert response.content_type.startswith("text/html")
    assert "This form has expired or did not come from this site." in response.get_data(as_text=True)
    assert client.get("/auth/me").status_code == 401


def test_sign_out_without_a_csrf_token_is_refused(client, user_id):
    sign_in(client)
    assert client.post("/sign-out").status_code == 400
    assert client.get("/auth/me").status_code == 200


def test_sign_out_ends_the_session_and_returns_to_sign_in(client, user_id):
    sign_in(client)
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/documents")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/auth/me").status_code == 401


def test_json_api_needs_no_csrf_token(client, user_id):
    assert client.post("/auth/login", json={"email": "alice@example.com", "password": PASSWORD}).status_code == 200
    assert client.post("/auth/logout").status_code == 200


@pytest.mark.parametrize("path", ["/documents", "/documents/report.pdf"])
def test_pages_redirect_a_visitor_to_sign_in_with_next(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={path}"


@pytest.mark.parametrize("path", ["/api/documents", "/api/documents/report.pdf", "/auth/me"])
def test_api_still_answers_a_visitor_with_json_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_sign_in_follows_a_safe_next(client, user_id):
    response = sign_in(client, next="/documents/report.pdf")
    assert response.headers["Location"] == "/documents/report.pdf"


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "documents",
        "/documents\r\nSet-Cookie: x=1",
        "/documents\x00",
        "",
    ],
)
def test_sign_in_ignores_an_unsafe_next(client, user_id, next_path):
    assert safe_next_path(next_path) is None
    response = sign_in(client, next=next_path)
    assert response.headers["Location"] == "/documents"


@pytest.mark.parametrize("next_path", ["/documents", "/documents/a%20b.pdf?x=1", "/"])
def test_safe_next_paths_are_kept(next_path):
    assert safe_next_path(next_path) == next_path


def test_pages_have_their_own_csp_with_the_upload_origin(client, s3_endpoint):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(directive.strip().split(" ", 1) for directive in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == f"'self' {s3_endpoint}"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_api_keeps_its_strict_csp(client):
    response = client.get("/healthz")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_use_no_inline_script_or_style(client, user_id):
    sign_in(client)
    for path in ["/sign-in", "/documents"]:
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page
        assert "<style" not in page
        assert " style=" not in page


def test_document_page_shows_status_reason_first_chunks_and_run(app, client, user_id):
    with app.app_context():
        document = Document(
            user_id=user_id,
            name="reports/q1.pdf",
            s3_bucket="b",
            s3_key=f"users/{user_id}/reports/q1.pdf",
            status=DocumentStatus.FAILED.value,
            error="the PDF is damaged or not a PDF",
            run_id="01RUNID",
            chunk_count=7,
        )
        document.chunks = [Chunk(position=index, text=f"chunk text {index}") for index in range(7)]
        db.session.add(document)
        db.session.commit()
    sign_in(client)
    page = client.get("/documents/reports/q1.pdf").get_data(as_text=True)
    assert "the PDF is damaged or not a PDF" in page
    assert "status-failed" in page
    assert [f"chunk text {index}" in page for index in range(7)] == [True] * 5 + [False] * 2
    assert "/run?runID=01RUNID" in page


@pytest.mark.parametrize("chunk", ["99999999999999999999", "-1000000000000000000000000", "7", "abc"])
def test_a_chunk_the_document_has_not_got_shows_its_first_chunks(app, client, user_id, chunk):
    with app.app_context():
        document = Document(user_id=user_id, name="q1.txt", s3_bucket="b", s3_key=f"users/{user_id}/q1.txt")
        document.chunks = [Chunk(position=index, text=f"chunk text {index}") for index in range(7)]
        document.chunk_count = 7
        db.session.add(document)
        db.session.commit()
    sign_in(client)

    response = client.get(f"/documents/q1.txt?chunk={chunk}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert [f"chunk text {index}" in page for index in range(7)] == [True] * 5 + [False] * 2


def test_document_page_shows_each_chunks_pages_and_section_escaped(app, client, user_id):
    with app.app_context():
        document = Document(user_id=user_id, name="graphs.pdf", s3_bucket="b", s3_key=f"users/{user_id}/graphs.pdf",
                            status=DocumentStatus.PROCESSED.value, chunk_count=4)  # fmt: skip
        document.chunks = [
            Chunk(position=0, text="one page", page_first=41, page_last=41, section="Spannbaum"),
            Chunk(position=1, text="two pages", page_first=41, page_last=42, section="<b>Kruskal</b> & Prim"),
            Chunk(position=2, text="no section", page_first=7, page_last=7),
            Chunk(position=3, text="nothing known"),
        ]
        db.session.add(document)
        db.session.commit()
    sign_in(client)
    page = client.get("/documents/graphs.pdf").get_data(as_text=True)
    captions = [" ".join(re.sub(r"<[^>]+>", "", caption).split()) for caption in re.findall(
        r"<figcaption[^>]*>(.*?)</figcaption>", page, re.DOTALL)]  # fmt: skip
    assert captions == [
        "Chunk 1 · page 41 · Spannbaum",
        "Chunk 2 · pages 41\N{EN DASH}42 · &lt;b&gt;Kruskal&lt;/b&gt; &amp; Prim",
        "Chunk 3 · page 7",
        "Chunk 4",
    ]
    assert "<b>Kruskal</b>" not in page


def test_document_page_shows_ocr_progress_while_a_scan_is_read(app, client, user_id):
    with app.app_context():
        document = Document(user_id=user_id, name="scan.pdf", s3_bucket="b", s3_key=f"users/{user_id}/scan.pdf",
                            status=DocumentStatus.PROCESSING.value, ocr_pages_total=5)  # fmt: skip
        db.session.add(document)
        db.session.flush()
        db.session.add_all(
            DocumentPage(document_id=document.id, page=page, content_hash="h", text="read") for page in (1, 2)
        )
        db.session.commit()
    sign_in(client)
    page = client.get("/documents/scan.pdf").get_data(as_text=True)
    assert re.search(r'<progress id="ocr-progress" max="5" value="2"', page)
    assert "OCR: 2 of 5 pages read" in page


def test_document_page_marks_chunks_read_by_ocr_and_lists_the_pages_it_could_not_read(app, client, user_id):
    with app.app_context():
        document = Document(user_id=user_id, name="scan.png", s3_bucket="b", s3_key=f"users/{user_id}/scan.png",
                            status=DocumentStatus.PROCESSED.value, chunk_count=2,
                            failed_pages='[{"page": 3, "reason": "not read within 120 seconds"}]')  # fmt: skip
        document.chunks = [
            Chunk(position=0, text="typed", page_first=1, page_last=1),
            Chunk(position=1, text="scanned", page_first=2, page_last=2, ocr=True),
        ]
        db.session.add(document)
        db.session.commit()
    sign_in(client)
    page = client.get("/documents/scan.png").get_data(as_text=True)
    captions = [" ".join(re.sub(r"<[^>]+>", "", caption).split()) for caption in re.findall(
        r"<figcaption[^>]*>(.*?)</figcaption>", page, re.DOTALL)]  # fmt: skip
    assert captions == ["Chunk 1 · page 1", "Chunk 2 · page 2 · OCR"]
    assert "page 3 (not read within 120 seconds)" in page


def test_someone_elses_or_no_document_is_a_404_page(app, client, user_id):
    other = create_user(app, "bob@example.com")
    with app.app_context():
        db.session.add(Document(user_id=other, name="bob.pdf", s3_bucket="b", s3_key=f"users/{other}/bob.pdf"))
        db.session.commit()
    sign_in(client)
    for path in ["/documents/bob.pdf", "/documents/nothing.pdf"]:
        response = client.get(path)
        assert response.status_code == 404
        assert response.content_type.startswith("text/html")
