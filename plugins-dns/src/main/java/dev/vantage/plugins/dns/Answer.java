package dev.vantage.plugins.dns;

import dev.vantage.probe.plugin.support.JsonText;
import dev.vantage.probe.spi.ProbeResult;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * What a response says, written into a result: {@code rcode}, {@code flags}, {@code ad}, the answer section as
 * {@code records} (JSON objects with name, type, ttl and data) and the answers of the type asked as {@code answers}
 * (a JSON array of their data, the list the engine's {@code includes}, {@code set_equals} and {@code within_cidr}
 * assertions read), {@code answerCount}, {@code minTtlSeconds} and {@code responseBytes}.
 */
final class Answer {
    private Answer() {
    }

    static void record(ProbeResult.Builder result, Message response, int size, int queryType) {
        result.attribute("rcode", Rcode.string(response.getRcode()));
        result.attribute("flags", response.getHeader().printFlags().trim());
        result.attribute("ad", String.valueOf(response.getHeader().getFlag(Flags.AD)));
        List<Record> answers = response.getSection(Section.ANSWER);
        StringBuilder records = new StringBuilder("[");
        StringBuilder data = new StringBuilder("[");
        long minTtl = Long.MAX_VALUE;
        for (Record r : answers) {
            String text = data(r);
            if (records.length() > 1) {
                records.append(',');
            }
            records.append("{\"name\":");
            JsonText.quote(r.getName().toString(), records);
            records.append(",\"type\":");
            JsonText.quote(Type.string(r.getType()), records);
            records.append(",\"ttl\":").append(r.getTTL()).append(",\"data\":");
            JsonText.quote(text, records);
            records.append('}');
            if (r.getType() == queryType) {
                if (data.length() > 1) {
                    data.append(',');
                }
                JsonText.quote(text, data);
            }
            minTtl = Math.min(minTtl, r.getTTL());
        }
        result.attribute("records", records.append(']').toString());
        result.attribute("answers", data.append(']').toString());
        result.measurement("answerCount", answers.size());
        if (!answers.isEmpty()) {
            result.measurement("minTtlSeconds", minTtl);
        }
        result.measurement("responseBytes", size);
    }

    /**
     * A record's data as dig prints it ({@code 10 mail.example.com.}, {@code 0 issue "ca.example"}), except TXT:
     * its strings joined without quotes, as SPF and DKIM readers take them ({@code v=spf1 -all}).
     */
    static String data(Record r) {
        if (r instanceof TXTRecord txt) {
            return String.join("", txt.getStrings());
        }
        return r.rdataToString();
    }
}
