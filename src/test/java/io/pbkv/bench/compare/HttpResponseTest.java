package io.pbkv.bench.compare;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpResponseTest {

	private static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	@Test
	void readsStatusHeadersAndAContentLengthBodyThenTheNextResponseOnTheSameStream() throws IOException {
		InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
				+ "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
		HttpResponse first = HttpResponse.read(in, true, false);
		assertThat(first.status()).isEqualTo(200);
		assertThat(first.headers()).containsEntry("content-type", "text/plain");
		assertThat(first.bodyText()).isEqualTo("hello");
		assertThat(first.keepAlive()).isTrue();
		HttpResponse second = HttpResponse.read(in, true, false);
		assertThat(second.status()).isEqualTo(404);
		assertThat(second.body()).isEmpty();
	}

	@Test
	void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
		InputStream in = stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n" + "rest");
		HttpResponse r = HttpResponse.read(in, true, false);
		assertThat(r.bodyText()).isEqualTo("Wikipedia in \r\n\r\nchunks.");
		assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("rest");
	}

	@Test
	void discardsTheBodyWhenNotKeptButStillConsumesIt() throws IOException {
		InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n");
		assertThat(HttpResponse.read(in, false, false).body()).isEmpty();
		assertThat(HttpResponse.read(in, false, false).status()).isEqualTo(204);
	}

	@Test
	void skipsInterimResponsesAndHasNoBodyFor204() throws IOException {
		InputStream in = stream("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
		HttpResponse r = HttpResponse.read(in, true, false);
		assertThat(r.status()).isEqualTo(204);
		assertThat(r.body()).isEmpty();
	}

	@Test
	void connectionCloseOrABodyToTheEndEndsKeepAlive() throws IOException {
		assertThat(HttpResponse.read(stream("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), true,
				false).keepAlive()).isFalse();
		HttpResponse toEnd = HttpResponse.read(stream("HTTP/1.1 200 OK\r\n\r\nall of it"), true, false);
		assertThat(toEnd.bodyText()).isEqualTo("all of it");
		assertThat(toEnd.keepAlive()).isFalse();
		assertThat(HttpResponse.read(stream("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), true, false).keepAlive())
			.isFalse();
		assertThat(HttpResponse.read(stream("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
				true, false).keepAlive()).isTrue();
	}

	@Test
	void anEndOfStreamOrGarbageIsAnError() {
		assertThatThrownBy(() -> HttpResponse.read(stream(""), true, false)).isInstanceOf(EOFException.class);
		assertThatThrownBy(() -> HttpResponse.read(stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), true,
				false)).isInstanceOf(EOFException.class);
		assertThatThrownBy(() -> HttpResponse.read(stream("+OK\r\n"), true, false)).isInstanceOf(IOException.class)
			.hasMessageContaining("not an HTTP/1.x status line");
		assertThatThrownBy(() -> HttpResponse.read(stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
				true, false)).hasMessageContaining("bad chunk size");
	}

	@Test
	void requestBytesCarryHostLengthAndBody() {
		byte[] put = HttpConnection.request("PUT", "/kv/a", "127.0.0.1:8080", "application/octet-stream",
				"xyz".getBytes(StandardCharsets.US_ASCII));
		assertThat(new String(put, StandardCharsets.ISO_8859_1)).isEqualTo("PUT /kv/a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
				+ "Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nxyz");
		byte[] get = HttpConnection.request("GET", "/kv/a", "h:1", null, null);
		assertThat(new String(get, StandardCharsets.ISO_8859_1)).isEqualTo("GET /kv/a HTTP/1.1\r\nHost: h:1\r\n\r\n");
	}

}
