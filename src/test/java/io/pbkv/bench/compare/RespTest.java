package io.pbkv.bench.compare;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RespTest {

	private static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void encodesACommandAsAnArrayOfBulkStrings() {
		assertThat(new String(Resp.command("SET", "k", "héllo"), StandardCharsets.UTF_8))
			.isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nhéllo\r\n");
		assertThat(new String(Resp.command("WAIT", "1", "0"), StandardCharsets.UTF_8))
			.isEqualTo("*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$1\r\n0\r\n");
	}

	@Test
	void readsEveryReplyTypeInSequence() throws IOException {
		InputStream in = stream("+OK\r\n:1\r\n-ERR wrong\r\n$5\r\nab\r\nc\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n*-1\r\n");
		assertThat(Resp.read(in)).isEqualTo(new Resp.Reply.Simple("OK"));
		Resp.Reply wait = Resp.read(in);
		assertThat(Resp.integer(wait)).isEqualTo(1);
		assertThat(Resp.read(in)).isEqualTo(new Resp.Reply.Error("ERR wrong"));
		assertThat(((Resp.Reply.Bulk) Resp.read(in)).bytes()).isEqualTo("ab\r\nc".getBytes(StandardCharsets.UTF_8));
		assertThat(((Resp.Reply.Bulk) Resp.read(in)).bytes()).isNull();
		Resp.Reply.Array array = (Resp.Reply.Array) Resp.read(in);
		assertThat(array.items()).hasSize(2);
		assertThat(Resp.integer(array.items().get(1))).isEqualTo(7);
		assertThat(((Resp.Reply.Array) Resp.read(in)).items()).isNull();
	}

	@Test
	void aWaitReplyCountsOnlyAsAnInteger() throws IOException {
		assertThat(Resp.integer(Resp.read(stream(":0\r\n")))).isZero();
		assertThat(Resp.integer(Resp.read(stream("-NOREPLICAS\r\n")))).isEqualTo(-1);
	}

	@Test
	void aTruncatedOrForeignReplyIsAnError() {
		assertThatThrownBy(() -> Resp.read(stream(""))).isInstanceOf(EOFException.class);
		assertThatThrownBy(() -> Resp.read(stream("$10\r\nshort\r\n"))).isInstanceOf(EOFException.class);
		assertThatThrownBy(() -> Resp.read(stream("HTTP/1.1 200 OK\r\n"))).isInstanceOf(IOException.class)
			.hasMessageContaining("not a RESP reply type");
		assertThatThrownBy(() -> Resp.read(stream(":x\r\n"))).hasMessageContaining("not a RESP number");
	}

}
