package io.pbkv.bench.compare;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One kind of request against one system, as a load thread sends it: each connection opens a {@link Session}
 * and calls it once per request. Requests of all systems go through the same two hand-written clients
 * ({@link HttpConnection}, {@link RedisConnection}), so that differences are the servers', not the clients'.
 */
interface Workload {

	/** Request timeout (socket read and connect): a request that takes longer counts as an error. */
	Duration TIMEOUT = Duration.ofSeconds(10);

	/** A session of one connection; not thread-safe. */
	interface Session extends AutoCloseable {

		/** Opens the connection now (before the clock starts). */
		void connect() throws IOException;

		/** Sends one request and waits for its answer: true when it succeeded. */
		boolean call() throws IOException;

		@Override
		void close();

	}

	Session open(int connection);

	static byte[] value(int bytes) {
		byte[] value = new byte[bytes];
		Arrays.fill(value, (byte) 'v');
		return value;
	}

	/** {@code PUT /kv/<prefix>/<connection>/<n>}, a new key per request; 200 counts. */
	static Workload pbkvPut(URI base, Keys keys, byte[] value) {
		return (connection) -> new HttpSession(base) {
			@Override
			public boolean call() throws IOException {
				long n = keys.written(connection);
				HttpResponse r = send(HttpConnection.request("PUT", "/kv/" + keys.key(connection, n), host(),
						"application/octet-stream", value), false);
				if (r.status() == 200) {
					keys.wrote(connection);
					return true;
				}
				return false;
			}
		};
	}

	/**
	 * {@code GET /kv/<key>} (linearizable, the default) of a random key this connection index wrote before; 200
	 * counts.
	 */
	static Workload pbkvGet(URI base, Keys keys) {
		return (connection) -> new HttpSession(base) {
			@Override
			public boolean call() throws IOException {
				HttpResponse r = send(HttpConnection.request("GET", "/kv/" + keys.key(connection, keys.random(connection)),
						host(), null, null), false);
				return r.status() == 200;
			}
		};
	}

	/** {@code GET <path>} expecting {@code status}: the floor's cheap round trips. */
	static Workload httpGet(URI base, String path, int status) {
		return (connection) -> new HttpSession(base) {
			@Override
			public boolean call() throws IOException {
				return send(HttpConnection.request("GET", path, host(), null, null), false).status() == status;
			}
		};
	}

	/** {@code PUT /bench/no-op/<n>}: the HTTP ceiling; 204 counts. */
	static Workload noOpPut(URI base, byte[] value) {
		return (connection) -> new HttpSession(base) {

			private long n;

			@Override
			public boolean call() throws IOException {
				HttpResponse r = send(HttpConnection.request("PUT", "/bench/no-op/" + connection + "-" + this.n++, host(),
						"application/octet-stream", value), false);
				return r.status() == 204;
			}
		};
	}

	/** etcd's JSON gateway: {@code POST <prefix>/kv/put} with base64 key and value, a new key per request; 200 counts. */
	static Workload etcdPut(URI base, String apiPrefix, Keys keys, byte[] value) {
		String encodedValue = Base64.getEncoder().encodeToString(value);
		return (connection) -> new HttpSession(base) {
			@Override
			public boolean call() throws IOException {
				long n = keys.written(connection);
				byte[] body = ("{\"key\":\"" + base64(keys.key(connection, n)) + "\",\"value\":\"" + encodedValue + "\"}")
					.getBytes(StandardCharsets.US_ASCII);
				HttpResponse r = send(HttpConnection.request("POST", apiPrefix + "/kv/put", host(), "application/json", body),
						false);
				if (r.status() == 200) {
					keys.wrote(connection);
					return true;
				}
				return false;
			}
		};
	}

	/**
	 * {@code POST <prefix>/kv/range} of one key this connection index wrote before, etcd's default (linearizable)
	 * read; counts when 200 with the key in {@code kvs}.
	 */
	static Workload etcdGet(URI base, String apiPrefix, Keys keys) {
		return (connection) -> new HttpSession(base) {
			@Override
			public boolean call() throws IOException {
				byte[] body = ("{\"key\":\"" + base64(keys.key(connection, keys.random(connection))) + "\"}")
					.getBytes(StandardCharsets.US_ASCII);
				HttpResponse r = send(HttpConnection.request("POST", apiPrefix + "/kv/range", host(), "application/json", body),
						true);
				return r.status() == 200 && r.bodyText().contains("\"kvs\"");
			}
		};
	}

	/**
	 * {@code SET <key> <value>} and {@code WAIT 1 0} pipelined (one write, one round trip, as a client library's
	 * pipeline sends them): counts when SET says OK and WAIT that at least one replica has the write.
	 */
	static Workload redisSetWait(String host, int port, Keys keys, byte[] value) {
		byte[] wait = Resp.command("WAIT", "1", "0");
		return (connection) -> new Session() {

			private final RedisConnection redis = new RedisConnection(host, port, TIMEOUT);

			@Override
			public void connect() throws IOException {
				this.redis.connect();
			}

			@Override
			public boolean call() throws IOException {
				long n = keys.written(connection);
				byte[] set = Resp.command("SET".getBytes(StandardCharsets.US_ASCII),
						keys.key(connection, n).getBytes(StandardCharsets.UTF_8), value);
				var replies = this.redis.pipeline(RedisPair.concat(set, wait), 2);
				boolean ok = replies.get(0) instanceof Resp.Reply.Simple s && s.text().equals("OK")
						&& Resp.integer(replies.get(1)) >= 1;
				if (ok) {
					keys.wrote(connection);
				}
				return ok;
			}

			@Override
			public void close() {
				this.redis.close();
			}
		};
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	/** A session on one {@link HttpConnection} to {@code base}. */
	abstract class HttpSession implements Session {

		private final HttpConnection http;

		private final String host;

		HttpSession(URI base) {
			this.http = new HttpConnection(base.getHost(), base.getPort(), TIMEOUT);
			this.host = base.getHost() + ":" + base.getPort();
		}

		String host() {
			return this.host;
		}

		HttpResponse send(byte[] request, boolean keepBody) throws IOException {
			return this.http.send(request, keepBody);
		}

		@Override
		public void connect() throws IOException {
			this.http.connect();
		}

		@Override
		public void close() {
			this.http.close();
		}

	}

	/**
	 * The keys of one system: connection index {@code c} writes {@code <prefix>/c/0}, {@code <prefix>/c/1}, ...
	 * across all rows (always a new key), and reads back random ones among those.
	 */
	final class Keys {

		private final String prefix;

		private final AtomicLongArray written;

		Keys(String prefix, int maxConnections) {
			this.prefix = prefix;
			this.written = new AtomicLongArray(maxConnections);
		}

		String key(int connection, long n) {
			return this.prefix + "/" + connection + "/" + n;
		}

		long written(int connection) {
			return this.written.get(connection);
		}

		void wrote(int connection) {
			this.written.incrementAndGet(connection);
		}

		/** A key number this connection index wrote (0 when it wrote none: then the read finds nothing). */
		long random(int connection) {
			return ThreadLocalRandom.current().nextLong(Math.max(this.written.get(connection), 1));
		}

	}

}
