"""Version 1 of each instrument, in our own words.

The mentor evaluation follows the style of the Mentoring Competency Assessment (a 1–7
skill scale over competencies) with items written from seed 004's "characteristics of a
good mentor"; it is not the MCA's wording. Staff publish later versions in the product.
"""

from __future__ import annotations

MENTOR_EVALUATION = {
    "kind": "mentor_evaluation",
    "name": "Mentor evaluation",
    "description": "How skilled your mentor has been at each part of mentoring, on a 1–7 scale.",
    "intro": (
        "Rate how skilled your mentor has been at each of the following, from 1 (not at all skilled) "
        "to 7 (extremely skilled). Your mentor never sees your answers: they see only averages over "
        "many mentees, and your comments are read only by the MentorMeMed program team."
    ),
    "items": [
        {"key": "integrity", "type": "scale", "text": "Acting with integrity and keeping their word"},
        {"key": "role_model", "type": "scale", "text": "Being a professional role model I can learn from"},
        {"key": "confidence", "type": "scale", "text": "Showing confidence in my abilities"},
        {"key": "individual", "type": "scale", "text": "Valuing me as an individual, including my background"},
        {"key": "environment", "type": "scale", "text": "Creating a positive, supportive space to talk openly"},
        {"key": "feedback", "type": "scale", "text": "Giving timely, useful feedback"},
        {"key": "independence", "type": "scale", "text": "Encouraging me to make my own decisions"},
        {"key": "time", "type": "scale", "text": "Making enough time for me and answering promptly"},
        {"key": "circle", "type": "scale", "text": "Including me in their professional circle and introducing me"},
        {"key": "networking", "type": "scale", "text": "Showing me how to build a professional network"},
        {"key": "opportunities", "type": "scale", "text": "Opening opportunities (research, presentations, roles)"},
        {"key": "credit", "type": "scale", "text": "Giving me credit for my work"},
        {"key": "overall", "type": "overall", "text": "Overall, how would you rate this mentor?"},
        {"key": "comments", "type": "text", "text": "Anything else the program should know?", "required": False},
    ],
}

CAREER_UPDATE = {
    "kind": "career_update",
    "name": "Career update",
    "description": "Where your career stands: asked once a year and when you leave the program.",
    "intro": "Tell us where your career stands. The program reports these only in totals of 11 or more people.",
    "items": [
        {
            "key": "stage",
            "type": "choice",
            "text": "Where are you now?",
            "choices": [
                "Medical school",
                "Residency",
                "Fellowship",
                "Faculty appointment",
                "Practice outside academia",
                "Research or public health",
                "Other",
            ],
        },
        {"key": "matched", "type": "yesno", "text": "Did you match into the residency or fellowship you wanted most?"},
        {"key": "appointment", "type": "yesno", "text": "Do you hold an academic appointment?"},
        {"key": "publications", "type": "number", "text": "Publications or presentations in the last 12 months"},
        {
            "key": "helped",
            "type": "overall",
            "text": "How much has mentoring helped your career so far?",
            "anchors": {"1": "Not at all", "4": "Somewhat", "7": "A great deal"},
        },
        {"key": "notes", "type": "text", "text": "Anything you would like to add?", "required": False},
    ],
}

PROGRAM_FEEDBACK = {
    "kind": "program_feedback",
    "name": "Program feedback",
    "description": "How MentorMeMed works for you: asked once a year of mentees and mentors.",
    "intro": "Help us improve MentorMeMed. Answers are reported only in totals of 11 or more people.",
    "items": [
        {
            "key": "recommend",
            "type": "overall",
            "text": "How likely are you to recommend MentorMeMed?",
            "anchors": {"1": "Not at all likely", "4": "Maybe", "7": "Extremely likely"},
        },
        {"key": "found_help", "type": "yesno", "text": "Did you find the help you came for?"},
        {"key": "improve", "type": "text", "text": "What one change would help most?", "required": False},
    ],
}

ALL = [MENTOR_EVALUATION, CAREER_UPDATE, PROGRAM_FEEDBACK]

# Spanish wording of version 1 of the mentor evaluation, which the demo saves as staff's translation
# (issue 19). Keyed by the source item keys, as ``InstrumentVersionTranslation.items`` is.
MENTOR_EVALUATION_ES = {
    "name": "Evaluación del mentor",
    "description": "Qué tan hábil ha sido su mentor en cada aspecto de la mentoría, en una escala del 1 al 7.",
    "intro": (
        "Califique qué tan hábil ha sido su mentor en cada uno de los siguientes aspectos, del 1 (nada hábil) "
        "al 7 (extremadamente hábil). Su mentor nunca ve sus respuestas: solo ve promedios de muchos "
        "aprendices, y sus comentarios los lee únicamente el equipo del programa MentorMeMed."
    ),
    "items": {
        "integrity": {"text": "Actuar con integridad y cumplir su palabra"},
        "role_model": {"text": "Ser un modelo profesional del que puedo aprender"},
        "confidence": {"text": "Mostrar confianza en mis capacidades"},
        "individual": {"text": "Valorarme como persona, incluidos mis antecedentes"},
        "environment": {"text": "Crear un espacio positivo y de apoyo para hablar con franqueza"},
        "feedback": {"text": "Darme comentarios útiles y a tiempo"},
        "independence": {"text": "Animarme a tomar mis propias decisiones"},
        "time": {"text": "Dedicarme suficiente tiempo y responder con prontitud"},
        "circle": {"text": "Incluirme en su círculo profesional y presentarme a otras personas"},
        "networking": {"text": "Enseñarme a construir una red profesional"},
        "opportunities": {"text": "Abrirme oportunidades (investigación, presentaciones, cargos)"},
        "credit": {"text": "Reconocerme el mérito de mi trabajo"},
        "overall": {"text": "En general, ¿cómo calificaría a este mentor?"},
        "comments": {"text": "¿Hay algo más que el programa deba saber?"},
    },
}
