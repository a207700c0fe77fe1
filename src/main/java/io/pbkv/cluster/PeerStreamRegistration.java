package io.pbkv.cluster;

import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.context.ServletContextAware;

/**
 * Registers {@link PeerStreamEndpoint} at {@code /internal/replicate} with the servlet container's WebSocket
 * support (Tomcat's), once every bean exists, as Spring's {@code ServerEndpointExporter} does. The same path takes
 * the POST requests of {@link PeerController}: an upgrade request opens a stream, any other is a batch.
 */
final class PeerStreamRegistration implements ServletContextAware, SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(PeerStreamRegistration.class);

	static final String PATH = "/internal/replicate";

	private final Supplier<Endpoint> endpoint;

	private ServletContext servletContext;

	PeerStreamRegistration(Supplier<Endpoint> endpoint) {
		this.endpoint = endpoint;
	}

	@Override
	public void setServletContext(ServletContext servletContext) {
		this.servletContext = servletContext;
	}

	@Override
	public void afterSingletonsInstantiated() {
		ServerContainer container = servletContext == null ? null
				: (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
		if (container == null) {
			// A test slice with a mock servlet context: peers are sent requests, which work without streams.
			log.debug("no WebSocket container: the replication stream is not offered");
			return;
		}
		Endpoint instance = endpoint.get();
		ServerEndpointConfig config = ServerEndpointConfig.Builder.create(instance.getClass(), PATH)
			.subprotocols(List.of(PeerProtocol.SUBPROTOCOL))
			.configurator(new ServerEndpointConfig.Configurator() {
				@Override
				public <T> T getEndpointInstance(Class<T> endpointClass) {
					return endpointClass.cast(instance);
				}
			})
			.build();
		try {
			container.addEndpoint(config);
		}
		catch (DeploymentException ex) {
			throw new IllegalStateException("could not offer the replication stream at " + PATH, ex);
		}
	}

}
