package io.pbkv.api;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Renders the errors Tomcat raises before any servlet runs (a malformed percent-escape, an encoded NUL) as
 * {@code application/problem+json} instead of Tomcat's HTML page. Errors inside Spring never get here.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		String title = status == 400 ? "Bad Request" : "Error";
		String detail = status == 400 ? "the server could not parse the request (check the path's percent-escapes)"
				: "the server refused the request";
		String body = "{\"type\":\"urn:pbkv:problem:bad-request\",\"title\":\"" + title + "\",\"status\":" + status
				+ ",\"detail\":\"" + detail + "\"}";
		try {
			response.setContentType("application/problem+json");
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(body);
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the client is gone; nothing to tell it
		}
	}

}
