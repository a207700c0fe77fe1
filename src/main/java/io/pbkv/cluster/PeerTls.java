package io.pbkv.cluster;

import java.net.HttpURLConnection;
import java.net.http.HttpClient;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * How this node's own requests to other nodes (replication, forwarding, the overview, snapshot fetches) do TLS:
 * with the SSL bundle {@code kv.cluster.ssl-bundle} names (its trust material verifies the peers' certificates;
 * its key, if any, is presented to them), or, without one, as the JVM does by default. Peers' URLs are
 * {@code https://} once the nodes serve TLS ({@code server.ssl.bundle}).
 */
public final class PeerTls {

	public static final PeerTls JVM_DEFAULT = new PeerTls(null, null, null);

	private final SSLContext context;

	private final String bundle;

	private final RotatingManagers managers;

	PeerTls(SSLContext context, String bundle, RotatingManagers managers) {
		this.context = context;
		this.bundle = bundle;
		this.managers = managers;
	}

	/** The bundle's managers, swapped on reload; null without a bundle. */
	RotatingManagers managers() {
		return managers;
	}

	/** The builder, with the bundle's TLS when there is one. */
	public HttpClient.Builder apply(HttpClient.Builder builder) {
		return context == null ? builder : builder.sslContext(context);
	}

	/** The connection, with the bundle's TLS when it is an HTTPS one and there is a bundle. */
	void apply(HttpURLConnection connection) {
		if (context != null && connection instanceof HttpsURLConnection https) {
			https.setSSLSocketFactory(context.getSocketFactory());
		}
	}

	/** The bundle's name, or null for the JVM's defaults. */
	public String bundle() {
		return bundle;
	}

}
