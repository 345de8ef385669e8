from django.shortcuts import render


def petitions_home(request):
    return render(request, "petitions/home.html", {})
