package featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class LayersCommandTest {

    @Test
    void listsVgg19InNetworkOrderWithKerasNamesShapesAndTargets() {
        Cli r = Cli.run("layers", "--model", "vgg19", "--weights", "random");
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("layer"), lines[0]);
        assertTrue(lines[1].startsWith("block1_conv1 "), lines[1]);
        assertTrue(r.out().matches("(?s).*block5_conv4\\s+ConvolutionLayer\\s+512x14x14\\s+512\\s+yes.*"), r.out());
        assertTrue(r.out().matches("(?s).*predictions\\s+DenseLayer\\s+1000\\s+1000\\s+yes.*"), r.out());
    }

    @Test
    void jsonListsResnet50AtTheRequestedSize() throws Exception {
        Cli r = Cli.run("layers", "--model", "resnet50", "--weights", "random", "--size", "160", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals("conv1", rows.get(0).get("name").asText()); // Same padding: no conv1_pad, as in the pretrained file
        assertEquals("bn_conv1", rows.get(1).get("name").asText());
        boolean found = false;
        for (JsonNode row : rows) {
            if (row.get("name").asText().equals("res4a_branch2a")) {
                found = true;
                assertEquals(256, row.get("channels").asInt());
                // 160 -> conv1 80 -> max_pooling2d_1 39 (3x3/2, no padding) -> stage 3 20 -> stride 2 here: 10
                assertEquals(10, row.get("shape").get(1).asInt());
            }
        }
        assertTrue(found);
    }

    @Test
    void tooSmallImagesMarkTheDeepLayersAsNoTarget() {
        Cli r = Cli.run("layers", "--model", "resnet50", "--weights", "random", "--size", "64");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*activation_49\\s+ActivationLayer\\s+2048x2x2\\s+2048\\s+yes.*"), r.out());
        assertTrue(r.out().matches("(?s).*avg_pool\\s+SubsamplingLayer\\s+\\(not at this size\\)\\s+0\\s+no.*"), r.out());
    }

    @Test
    void listsTheResnet50V3FixtureWhoseFlattenIsAKerasImportClass() {
        // flatten_1 names org.deeplearning4j.nn.modelimport.keras.preprocessors.TensorFlowCnnToFeedForwardPreProcessor
        Cli r = Cli.run("layers", "--model", "src/test/resources/featviz/legacy/resnet50_v3_small.zip");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*max_pooling2d_1\\s+SubsamplingLayer\\s+4x55x55\\s+4\\s+yes.*"), r.out());
        assertTrue(r.out().matches("(?s).*flatten_1\\s+PreprocessorVertex\\s+128\\s+128\\s+yes.*"), r.out());
        assertTrue(r.out().contains("175 layers"), r.out());
    }
}
