import subprocess
import sys
import textwrap

from mmseg.registry import (DATASETS, HOOKS, METRICS, MODEL_WRAPPERS, MODELS,
                            OPTIM_WRAPPER_CONSTRUCTORS, TRANSFORMS,
                            VISUALIZERS)

from mmdefect.testing import REPO_ROOT

PUBLIC = {
    DATASETS: ['BasePairedDataset', 'SynLCDDataset', 'PCBDataset',
               'DeepPCBDataset',
               'MVTecSupervisedDataset'],
    TRANSFORMS: ['LoadRefImageFromFile', 'LoadRefImageFromNDArray',
                 'PairedTransform', 'PackPairedSegInputs'],
    MODELS: ['SiameseEncoderDecoder', 'PairedSegDataPreProcessor', 'CADHead',
             'BalancedContrastiveLoss'],
    METRICS: ['AnomalyMetric', 'DefectIoUMetric'],
    VISUALIZERS: ['PairedSegLocalVisualizer'],
    HOOKS: ['RNGStateHook'],
    MODEL_WRAPPERS: ['CPUDistributedDataParallel'],
    OPTIM_WRAPPER_CONSTRUCTORS: ['SiameseOptimWrapperConstructor'],
}


def test_public_modules_live_in_mmseg_registries():
    for registry, names in PUBLIC.items():
        for name in names:
            obj = registry.get(name)
            assert obj is not None, name
            assert obj.__module__.startswith('mmdefect.'), name


def test_no_mmseg_name_is_shadowed():
    script = textwrap.dedent('''
        import json
        from mmseg.utils import register_all_modules
        register_all_modules()
        from mmseg.registry import DATASETS, MODELS, TRANSFORMS, METRICS
        print(json.dumps({r.name: {k: v.__module__ for k, v in
                                   r.module_dict.items()}
                          for r in (DATASETS, MODELS, TRANSFORMS, METRICS)}))
    ''')
    import json
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True,
                          text=True, cwd=REPO_ROOT, check=True)
    before = json.loads(proc.stdout.strip().splitlines()[-1])
    from mmseg.registry import METRICS
    for registry in (DATASETS, MODELS, TRANSFORMS, METRICS):
        for name, module in before[registry.name].items():
            assert registry.module_dict[name].__module__ == module, name
