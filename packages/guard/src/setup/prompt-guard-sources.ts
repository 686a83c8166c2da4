import type { PromptGuardModelName } from './model-cache.js';

/** Where `herd guard setup` gets a Prompt Guard 2 model by default, and Meta's own repository of it. */
export interface PromptGuardSource {
  /** A community ONNX export (fp32 `model.onnx` and int8 `model.quant.onnx`); not gated. */
  onnxRepository: string;
  /** Meta's repository: safetensors only, gated behind the Llama 4 license (needs HF_TOKEN). */
  officialRepository: string;
  /** A few words on size and speed, for messages and the README. */
  description: string;
}

/** The known models. The 22M model is the default: about four times faster on a CPU, English-centred. */
export const promptGuardSources: Record<PromptGuardModelName, PromptGuardSource> = {
  'prompt-guard-2-22m': {
    onnxRepository: 'gravitee-io/Llama-Prompt-Guard-2-22M-onnx',
    officialRepository: 'meta-llama/Llama-Prompt-Guard-2-22M',
    description: 'DeBERTa-v3-xsmall, 22M parameters; AUC .995, recall 88.7% at 1% false positives',
  },
  'prompt-guard-2-86m': {
    onnxRepository: 'gravitee-io/Llama-Prompt-Guard-2-86M-onnx',
    officialRepository: 'meta-llama/Llama-Prompt-Guard-2-86M',
    description: 'mDeBERTa-base, 86M parameters, multilingual; AUC .998, recall 97.5% at 1% false positives',
  },
};

/** The model `herd guard setup` installs when none is named. */
export const defaultPromptGuardModel: PromptGuardModelName = 'prompt-guard-2-22m';
