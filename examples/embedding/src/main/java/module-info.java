/**
 * The embedding example as a named module. It needs no {@code uses} clause: the engine calls
 * {@link java.util.ServiceLoader} from its own module, which declares {@code uses dev.vantage.probe.spi.ProbeProvider}.
 */
module com.example.vantage.embedding {
    requires dev.vantage.probe.engine;
}
