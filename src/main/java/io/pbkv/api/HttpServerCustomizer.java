package io.pbkv.api;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat settings the client API needs: {@code %2F} passes through to the key parser (a key may contain a slash,
 * escaped or not), and what Tomcat itself refuses is still answered with problem+json.
 */
@Component
class HttpServerCustomizer implements TomcatConnectorCustomizer, TomcatContextCustomizer {

	@Override
	public void customize(Connector connector) {
		connector.setEncodedSolidusHandling("passthrough");
	}

	@Override
	public void customize(Context context) {
		if (context.getParent() instanceof StandardHost host) {
			host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
		}
	}

}
