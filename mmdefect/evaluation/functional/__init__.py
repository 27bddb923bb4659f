from .binned_roc import (ap_discretisation_bound, auroc_discretisation_bound,
                         confusion_at_threshold,
                         auroc_from_counts, average_precision_from_counts,
                         counts_from_scores, curve_discretisation_bound,
                         curves_from_counts, f1_max_from_counts,
                         pr_from_counts, quantile_index_from_counts,
                         roc_from_counts, trapezoid)
from .binning import (float_to_key, key_to_float, linear_bin_index,
                      linear_edges)
from .deeppcb_box_search import search_box_options
from .deeppcb_protocol import (MISS_REASONS, box_iou, deeppcb_evaluate,
                               masks_to_boxes, match_image, miss_reasons,
                               ranked_average_precision, sort_detections,
                               thresholded_labels)
from .pro import (compute_pro, connected_regions, pro_auc,
                  pro_curve_from_counts, pro_discretisation_bound)
from .scores import (check_image_score_rule, decide, defect_probability,
                     image_score, label_masks, score_map, topk_count)

__all__ = [
    'confusion_at_threshold',
    'MISS_REASONS', 'box_iou', 'deeppcb_evaluate', 'masks_to_boxes',
    'match_image', 'miss_reasons',
    'ranked_average_precision', 'sort_detections', 'thresholded_labels',
    'search_box_options',
    'ap_discretisation_bound',
    'auroc_discretisation_bound',
    'auroc_from_counts', 'average_precision_from_counts',
    'counts_from_scores', 'curve_discretisation_bound', 'curves_from_counts',
    'f1_max_from_counts', 'pr_from_counts', 'quantile_index_from_counts',
    'roc_from_counts', 'trapezoid', 'float_to_key', 'key_to_float',
    'linear_bin_index', 'linear_edges', 'compute_pro', 'connected_regions',
    'pro_auc', 'pro_curve_from_counts', 'pro_discretisation_bound',
    'check_image_score_rule', 'decide', 'defect_probability', 'image_score',
    'label_masks', 'score_map', 'topk_count'
]
