"""mage_ai.data_preparation.variable_manager: the run's pipeline variables."""
import pipewright_bridge


def get_global_variable(pipeline_uuid, key, **kwargs):
    task = pipewright_bridge.task
    if task is None or pipeline_uuid != task['pipeline']:
        raise ValueError(f'get_global_variable: Pipewright gives a block the variables of its own pipeline ("{task and task["pipeline"]}"), not of "{pipeline_uuid}"')
    return task['variables'].get(key)


def set_global_variable(pipeline_uuid, key, value, **kwargs):
    raise NotImplementedError('set_global_variable: Pipewright never writes into metadata.yaml from a run; set the variable in the pipeline\'s variables:, a trigger, or --var')
